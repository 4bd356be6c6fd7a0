package io.sealstream.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Single-thread encrypt and decrypt throughput of the envelope format (one-shot and streaming) against the raw JDK
 * AES-GCM limit and Tink's streaming AEAD, per object size. Score = objects per second; {@code jmh-report.py}
 * turns it into MiB/s. The AWS Encryption SDK is in {@link EsdkThroughputBenchmark}, which stops at 1 MiB.
 *
 * <p>Each contender has its own state, so a benchmark method only prepares the ciphertext it decrypts. Warm-up is
 * long because the JDK's AES-GCM reaches its intrinsics only after C2 compiled it: before that, every contender
 * runs at a few dozen MiB/s, and Tink's streams (ByteBuffer code paths) needed about 12 s to get there on a busy
 * 2-core machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 1)
public class EnvelopeThroughputBenchmark {

    @State(Scope.Benchmark)
    public static class Payload {
        @Param({"1024", "65536", "1048576", "67108864"})
        public int size;

        byte[] plaintext;

        @Setup(Level.Trial)
        public void generate() {
            plaintext = BenchFixtures.plaintext(size);
        }
    }

    @State(Scope.Benchmark)
    public static class RawJdk {
        RawJdkGcm gcm;
        int objectNumber;
        byte[] ciphertext;
        byte[] ciphertextOut;
        byte[] plaintextOut;

        @Setup(Level.Trial)
        public void prepare(final Payload payload) throws Exception {
            gcm = new RawJdkGcm();
            ciphertext = new byte[RawJdkGcm.ciphertextLength(payload.size)];
            gcm.encrypt(0, payload.plaintext, ciphertext);
            ciphertextOut = new byte[ciphertext.length];
            plaintextOut = new byte[payload.size];
        }
    }

    @State(Scope.Benchmark)
    public static class Sealstream {
        SealstreamCodec codec;
        byte[] ciphertext;
        final CountingSink sink = new CountingSink();
        final byte[] readBuffer = new byte[BenchFixtures.SEGMENT_BYTES];

        @Setup(Level.Trial)
        public void prepare(final Payload payload) {
            codec = new SealstreamCodec();
            ciphertext = codec.encrypt(payload.plaintext);
        }
    }

    /** A Tink contender; which one is chosen by the subclass, because JMH states can not take constructor arguments. */
    public abstract static class TinkState {
        TinkCodec codec;
        byte[] ciphertext;
        final CountingSink sink = new CountingSink();
        final byte[] readBuffer = new byte[BenchFixtures.SEGMENT_BYTES];

        void init(final String template, final Payload payload) throws Exception {
            codec = new TinkCodec(template);
            ciphertext = StreamingCodec.encrypt(codec, payload.plaintext);
        }
    }

    @State(Scope.Benchmark)
    public static class Tink4k extends TinkState {
        @Setup(Level.Trial)
        public void prepare(final Payload payload) throws Exception {
            init(TinkCodec.AES256_GCM_HKDF_4KB, payload);
        }
    }

    @State(Scope.Benchmark)
    public static class Tink1m extends TinkState {
        @Setup(Level.Trial)
        public void prepare(final Payload payload) throws Exception {
            init(TinkCodec.AES256_GCM_HKDF_1MB, payload);
        }
    }

    private static long streamEncrypt(final StreamingCodec codec, final byte[] plaintext, final CountingSink sink)
            throws Exception {
        sink.reset();
        try (OutputStream encrypting = codec.encryptingStream(sink)) {
            encrypting.write(plaintext);
        }
        return sink.count();
    }

    private static long streamDecrypt(final StreamingCodec codec, final byte[] ciphertext, final byte[] buffer,
                                      final Blackhole bh) throws Exception {
        try (InputStream decrypting = codec.decryptingStream(new ByteArrayInputStream(ciphertext))) {
            final long n = StreamingCodec.drain(decrypting, buffer);
            bh.consume(buffer);
            return n;
        }
    }

    // --- raw JDK AES-GCM: the limit -------------------------------------------------------------------------------

    @Benchmark
    public void raw_jdk_gcm_encrypt(final Payload payload, final RawJdk raw, final Blackhole bh) throws Exception {
        bh.consume(raw.gcm.encrypt(++raw.objectNumber, payload.plaintext, raw.ciphertextOut));
        bh.consume(raw.ciphertextOut);
    }

    @Benchmark
    public void raw_jdk_gcm_decrypt(final RawJdk raw, final Blackhole bh) throws Exception {
        bh.consume(raw.gcm.decrypt(0, raw.ciphertext, raw.ciphertext.length, raw.plaintextOut));
        bh.consume(raw.plaintextOut);
    }

    // --- sealstream, one-shot ---------------------------------------------------------------------------------------

    @Benchmark
    public byte[] sealstream_encrypt(final Payload payload, final Sealstream ours) {
        return ours.codec.encrypt(payload.plaintext);
    }

    @Benchmark
    public byte[] sealstream_decrypt(final Sealstream ours) throws Exception {
        return ours.codec.decrypt(ours.ciphertext);
    }

    // --- sealstream, streaming --------------------------------------------------------------------------------------

    @Benchmark
    public long sealstream_stream_encrypt(final Payload payload, final Sealstream ours) throws Exception {
        return streamEncrypt(ours.codec, payload.plaintext, ours.sink);
    }

    @Benchmark
    public long sealstream_stream_decrypt(final Sealstream ours, final Blackhole bh) throws Exception {
        return streamDecrypt(ours.codec, ours.ciphertext, ours.readBuffer, bh);
    }

    // --- Tink StreamingAead -----------------------------------------------------------------------------------------

    @Benchmark
    public long tink_4kb_encrypt(final Payload payload, final Tink4k tink) throws Exception {
        return streamEncrypt(tink.codec, payload.plaintext, tink.sink);
    }

    @Benchmark
    public long tink_4kb_decrypt(final Tink4k tink, final Blackhole bh) throws Exception {
        return streamDecrypt(tink.codec, tink.ciphertext, tink.readBuffer, bh);
    }

    @Benchmark
    public long tink_1mb_encrypt(final Payload payload, final Tink1m tink) throws Exception {
        return streamEncrypt(tink.codec, payload.plaintext, tink.sink);
    }

    @Benchmark
    public long tink_1mb_decrypt(final Tink1m tink, final Blackhole bh) throws Exception {
        return streamDecrypt(tink.codec, tink.ciphertext, tink.readBuffer, bh);
    }
}
