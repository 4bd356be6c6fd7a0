package io.sealstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar behind {@code ./sealstream}, as a separate process: exit codes, one-line stderr, real
 * stdin/stdout pipes, and the passphrase taken from the environment (never from arguments).
 */
class SealstreamJarIT {

    private static final String PASSPHRASE = "it-passphrase-9f2c";

    @TempDir
    Path dir;

    record Run(int exit, byte[] stdout, String stderr) {
    }

    private Run run(final byte[] stdin, final Map<String, String> env, final String... args) throws Exception {
        return runJar(System.getProperty("sealstream.jar"), stdin, env, args);
    }

    private Run runJar(final String jar, final byte[] stdin, final Map<String, String> env, final String... args)
            throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("SEALSTREAM_KEYSTORE_PASSWORD");
        pb.environment().remove("SEALSTREAM_KEYSTORE_PASSWORD_FILE");
        pb.environment().putAll(env);
        final Process p = pb.start();
        final CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        final CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (final IOException ignored) {
            // the process may exit before reading its stdin (usage errors)
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(final InputStream in) {
        try (in) {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void pipesThroughRealProcessesWithExitCodesAndOneLineErrors() throws Exception {
        final Map<String, String> env = Map.of("SEALSTREAM_KEYSTORE_PASSWORD", PASSPHRASE);
        final String ks = dir.resolve("ks.p12").toString();
        final Run create = run(new byte[0], env, "keys", "create", "--keystore", ks, "--key-id", "it-kek");
        assertThat(create.exit()).as(create.stderr()).isZero();

        final byte[] data = new byte[3 * 65536 + 5];
        new Random(7).nextBytes(data);
        final Run enc = run(data, env, "encrypt", "--keystore", ks, "--key-id", "it-kek", "--context", "tenant=it",
                "--in", "-", "--out", "-");
        assertThat(enc.exit()).as(enc.stderr()).isZero();
        assertThat(enc.stdout().length).isGreaterThan(data.length);

        final Run dec = run(enc.stdout(), env, "decrypt", "--keystore", ks, "--context", "tenant=it", "--in", "-", "--out", "-");
        assertThat(dec.exit()).as(dec.stderr()).isZero();
        assertThat(dec.stdout()).isEqualTo(data);

        final byte[] tampered = enc.stdout().clone();
        tampered[tampered.length / 2] ^= 0x10;
        final Path out = dir.resolve("out.bin");
        final Path in = dir.resolve("in.seal");
        Files.write(in, tampered);
        final Run bad = run(new byte[0], env, "decrypt", "--keystore", ks, "--context", "tenant=it", "--in", in.toString(),
                "--out", out.toString());
        assertThat(bad.exit()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(bad.stderr().lines()).hasSize(1);
        assertThat(bad.stderr()).startsWith("sealstream: ").doesNotContain("\tat ").doesNotContain(PASSPHRASE);
        assertThat(out).doesNotExist();

        final Run noPass = run(new byte[0], Map.of(), "keys", "list", "--keystore", ks);
        assertThat(noPass.exit()).isNotZero();
        assertThat(noPass.stderr().lines()).hasSize(1);
        assertThat(noPass.stderr()).contains("SEALSTREAM_KEYSTORE_PASSWORD");
    }

    @Test
    void passphraseFileWorksAndHelpListsTheContract() throws Exception {
        final Path pass = dir.resolve("pass.txt");
        Files.writeString(pass, PASSPHRASE + "\n");
        final Map<String, String> env = Map.of("SEALSTREAM_KEYSTORE_PASSWORD_FILE", pass.toString());
        final String ks = dir.resolve("ks2.p12").toString();
        assertThat(run(new byte[0], env, "keys", "create", "--keystore", ks, "--key-id", "a").exit()).isZero();
        assertThat(run(new byte[0], env, "keys", "rotate", "--keystore", ks, "--key-id", "a").exit()).isZero();
        final Run list = run(new byte[0], env, "keys", "list", "--keystore", ks);
        assertThat(list.exit()).isZero();
        assertThat(new String(list.stdout(), StandardCharsets.UTF_8)).contains("a\tcurrent=2\tversions=1,2");

        final Run help = run(new byte[0], Map.of(), "--help");
        assertThat(help.exit()).isZero();
        assertThat(new String(help.stdout(), StandardCharsets.UTF_8)).contains("keys", "encrypt", "decrypt", "demo");
        // The developer distribution's own commands answer help like the product's (CliHelpTest walks those).
        for (final String[] command : new String[][] {{"demo", "--help"}, {"stack", "up", "-h"}, {"help", "stack", "up"},
                {"envelope-demo", "--help"}}) {
            final Run usage = run(new byte[0], Map.of(), command);
            assertThat(usage.exit()).as(String.join(" ", command)).isZero();
            assertThat(new String(usage.stdout(), StandardCharsets.UTF_8)).as(String.join(" ", command))
                    .startsWith("Usage: sealstream ");
        }
    }

    @Test
    void demoRunsThePipelineRotatesAKekAndReadsThroughTheAuditedPath() throws Exception {
        final Path demoDir = dir.resolve("demo");
        final Run demo = run(new byte[0], Map.of(), "demo", "--dir", demoDir.toString(), "--large-mib", "8", "--inline", "40");
        final String report = new String(demo.stdout(), StandardCharsets.UTF_8);
        assertThat(demo.exit()).as(demo.stderr() + report).isZero();
        assertThat(report).contains("objects     43 encrypted and committed", "dead letter garbage          MALFORMED_EVENT",
                "DEK_CREATED", "audited; ciphertext digest matches ObjectEncrypted: true; SHA-256 matches the original: true",
                "local:demo-acme@1 -> local:demo-acme@2", "videos/launch.mp4 still decrypts: true",
                "every chain intact -> OK", "demo OK");
        assertThat(report).containsPattern("audit chain \\d+ records in 2 partitions: every chain intact -> OK");
        // the real chainer signed the heads with the demo key store's key, and its checkpoints cover every record
        assertThat(report).containsPattern("every chain intact -> OK; [1-9]\\d* signed checkpoints cover every record");

        // get is audited: without the pipeline's Kafka (where its audit trail and DEK registry live) it refuses to run.
        final Path config = dir.resolve("get.properties");
        Files.writeString(config, "sealstream.store.type=filesystem\n"
                + "sealstream.store.filesystem.root=" + demoDir.resolve("run/objects") + "\n"
                + "sealstream.kms.local.keystore=" + demoDir.resolve("keys.p12") + "\n");
        final Map<String, String> env = Map.of("SEALSTREAM_KEYSTORE_PASSWORD_FILE", demoDir.resolve("keystore.pass").toString());
        final Path plain = dir.resolve("launch.mp4");
        final Run get = run(new byte[0], env, "get", "s3://sealstream/acme/media/videos/launch.mp4", "--config",
                config.toString(), "--out", plain.toString());
        assertThat(get.exit()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(get.stderr()).contains("bootstrap.servers is not set");
        assertThat(plain).doesNotExist();

        final Run noBroker = run(new byte[0], Map.of(), "run", "--config", config.toString());
        assertThat(noBroker.exit()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(noBroker.stderr()).contains("bootstrap.servers is not set");
    }

    /**
     * The runtime jar (what the Docker image runs) holds what run, get, keys, rotate, shred and audit need, and none of
     * what only development needs: no JUnit, no Scala, no Kafka broker or its test kit, no demo or stack command.
     */
    @Test
    void theRuntimeJarCarriesNoTestKitNoBrokerAndNoDevCommands() throws Exception {
        final Path runtime = Path.of(System.getProperty("sealstream.runtime.jar"));
        final List<String> forbidden = new ArrayList<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(runtime.toFile())) {
            zip.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("org/junit/") || n.startsWith("scala/") || n.startsWith("kafka/server/")
                            || n.startsWith("org/apache/kafka/common/test/") || n.startsWith("kafka/log/")
                            || n.startsWith("io/sealstream/stack/") || n.startsWith("io/sealstream/dev/")
                            || n.startsWith("org/gaul/"))
                    .limit(10).forEach(forbidden::add);
        }
        assertThat(forbidden).as("runtime jar entries of test kits, Scala, the broker or the dev stack").isEmpty();
        System.out.printf("SealstreamJarIT: runtime jar %d MiB, developer jar %d MiB%n", Files.size(runtime) >> 20,
                Files.size(Path.of(System.getProperty("sealstream.jar"))) >> 20);

        final Run help = runJar(runtime.toString(), new byte[0], Map.of(), "--help");
        final String usage = new String(help.stdout(), StandardCharsets.UTF_8);
        assertThat(usage).contains("run", "get", "keys", "rotate", "shred", "audit").doesNotContain("demo", "stack");
        final Run dev = run(new byte[0], Map.of(), "--help");
        assertThat(new String(dev.stdout(), StandardCharsets.UTF_8)).contains("demo", "stack", "envelope-demo", "run");
    }
}
