package io.sealstream.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The AWS Encryption SDK with the same method names and units as {@link EnvelopeThroughputBenchmark}, so that
 * {@code jmh-report.py} puts it in the same table. Its own class only because its size parameter stops at 1 MiB:
 * one-shot {@code encryptData}/{@code decryptData} at 64 MiB needs several copies of the object on the heap and
 * takes seconds per operation, and JMH can not skip one parameter value for some methods only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class EsdkThroughputBenchmark {

    @Param({"1024", "65536", "1048576"})
    public int size;

    private byte[] plaintext;
    private EsdkCodec signing;
    private EsdkCodec committing;
    private byte[] signingCiphertext;
    private byte[] committingCiphertext;

    @Setup(Level.Trial)
    public void prepare() {
        plaintext = BenchFixtures.plaintext(size);
        signing = new EsdkCodec(EsdkCodec.SIGNING);
        committing = new EsdkCodec(EsdkCodec.COMMITTING);
        signingCiphertext = signing.encrypt(plaintext);
        committingCiphertext = committing.encrypt(plaintext);
    }

    @Benchmark
    public byte[] esdk_signing_encrypt() {
        return signing.encrypt(plaintext);
    }

    @Benchmark
    public byte[] esdk_signing_decrypt() {
        return signing.decrypt(signingCiphertext);
    }

    @Benchmark
    public byte[] esdk_committing_encrypt() {
        return committing.encrypt(plaintext);
    }

    @Benchmark
    public byte[] esdk_committing_decrypt() {
        return committing.decrypt(committingCiphertext);
    }
}
