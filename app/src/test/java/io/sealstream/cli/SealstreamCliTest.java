package io.sealstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract of the foundation issue: what scripts and later tests drive. */
class SealstreamCliTest {

    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    Path dir;
    private final CliHarness cli = new CliHarness().withPassphrase(PASSPHRASE);
    private Path keystore;
    private Path plain;

    @BeforeEach
    void createKey() throws IOException {
        keystore = dir.resolve("keys.p12");
        plain = dir.resolve("plain.bin");
        final byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        Files.write(plain, data);
        final CliHarness.Result r = cli.run("keys", "create", "--keystore", keystore.toString(), "--key-id", "tenant-acme");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("tenant-acme").contains("current=");
    }

    @Test
    void encryptThenDecryptRestoresTheFileExactly() throws IOException {
        final Path sealed = dir.resolve("obj.seal");
        final Path back = dir.resolve("back.bin");
        final CliHarness.Result enc = cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme",
                "--context", "tenant=acme", "--context", "object-key=a/b.bin", "--in", plain.toString(), "--out", sealed.toString());
        assertThat(enc.exitCode()).as(enc.stderr()).isZero();
        assertThat(Files.readAllBytes(sealed)).startsWith('S', 'E', 'A', 'L').isNotEqualTo(Files.readAllBytes(plain));

        // Context order on the command line does not matter.
        final CliHarness.Result dec = cli.run("decrypt", "--keystore", keystore.toString(), "--context", "object-key=a/b.bin",
                "--context", "tenant=acme", "--in", sealed.toString(), "--out", back.toString());
        assertThat(dec.exitCode()).as(dec.stderr()).isZero();
        assertThat(back).hasSameBinaryContentAs(plain);
        assertThat(Files.getPosixFilePermissions(back)).doesNotContain(PosixFilePermission.OTHERS_READ);
    }

    @Test
    void presetChoosesTheSegmentSizeAndUnknownPresetsAreUsageErrors() throws IOException {
        final Path sealed = dir.resolve("small-segments.seal");
        final Path back = dir.resolve("small-segments.out");
        assertThat(cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme", "--preset",
                "AES256_GCM_HKDF_SHA256_4KB", "--in", plain.toString(), "--out", sealed.toString()).exitCode()).isZero();
        assertThat(cli.run("inspect", "--in", sealed.toString()).out()).contains("segment-size: 4096");
        assertThat(cli.run("decrypt", "--keystore", keystore.toString(), "--in", sealed.toString(), "--out",
                back.toString()).exitCode()).isZero();
        assertThat(back).hasSameBinaryContentAs(plain);

        final CliHarness.Result bad = cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme",
                "--preset", "AES128_ECB", "--in", plain.toString(), "--out", dir.resolve("z").toString());
        assertThat(bad.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertOneLineError(bad, "AES128_ECB");
    }

    @Test
    void tamperedCiphertextFailsWithOneLineAndNoOutputFile() throws IOException {
        final Path sealed = encrypt("tenant=acme");
        final byte[] bytes = Files.readAllBytes(sealed);
        bytes[bytes.length - 70_000] ^= 1; // inside a middle segment: earlier segments would authenticate
        Files.write(sealed, bytes);
        final Path out = dir.resolve("out.bin");
        final CliHarness.Result r = cli.run("decrypt", "--keystore", keystore.toString(), "--context", "tenant=acme",
                "--in", sealed.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertOneLineError(r, "failed authentication");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("sealstream-partial"));
        }
    }

    /**
     * The exit-code contract (README, "Exit codes"): a wrapped data key in the header that the KMS refuses is tampering
     * with the object (3); a header naming a KEK the KMS does not have is a key error (4), as for a destroyed one.
     */
    @Test
    void aTamperedWrappedDataKeyIsARejectedObjectAndAnUnknownKekAKeyError() throws IOException {
        final Path sealed = encrypt("tenant=acme");
        final byte[] bytes = Files.readAllBytes(sealed);
        final io.sealstream.envelope.EnvelopeHeader header = io.sealstream.envelope.EnvelopeDecryptor.parseHeader(bytes);
        final byte[] wrapped = header.wrappedDataKey().ciphertext();
        final int at = indexOf(bytes, wrapped, header.length());
        assertThat(at).as("the wrapped key is in the header").isNotNegative();

        final byte[] tamperedKey = bytes.clone();
        tamperedKey[at + wrapped.length / 2] ^= 1;
        final Path keyTampered = dir.resolve("key-tampered.seal");
        Files.write(keyTampered, tamperedKey);
        final CliHarness.Result rejected = cli.run("decrypt", "--keystore", keystore.toString(), "--context",
                "tenant=acme", "--in", keyTampered.toString(), "--out", dir.resolve("a.out").toString());
        assertThat(rejected.exitCode()).as(rejected.stderr()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertOneLineError(rejected, "rejected");

        final byte[] keyId = "tenant-acme".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final int kekAt = indexOf(bytes, keyId, header.length());
        final byte[] otherKek = bytes.clone();
        otherKek[kekAt] = 'T'; // "Tenant-acme": a KEK this key store does not have
        final Path kekTampered = dir.resolve("kek-tampered.seal");
        Files.write(kekTampered, otherKek);
        final CliHarness.Result unknown = cli.run("decrypt", "--keystore", keystore.toString(), "--context",
                "tenant=acme", "--in", kekTampered.toString(), "--out", dir.resolve("b.out").toString());
        assertThat(unknown.exitCode()).as(unknown.stderr()).isEqualTo(SealstreamCli.EXIT_KEY_ERROR);
        assertOneLineError(unknown, "not found");
        assertThat(dir.resolve("a.out")).doesNotExist();
        assertThat(dir.resolve("b.out")).doesNotExist();
    }

    /** Reading the ciphertext failing half-way (a disk, a connection) says nothing about the object: 1, not 3. */
    @Test
    void anIoErrorWhileReadingIsAnIoFailureNotARejection() {
        final CliFailure failure = CliFailure.from(new io.sealstream.envelope.EnvelopeException(
                "reading the ciphertext failed: Connection reset", new IOException("Connection reset")));
        assertThat(failure.exitCode()).isEqualTo(SealstreamCli.EXIT_FAILURE);
        assertThat(failure.getMessage()).startsWith("I/O error:");
    }

    private static int indexOf(final byte[] haystack, final byte[] needle, final int within) {
        outer:
        for (int i = 0; i + needle.length <= Math.min(haystack.length, within); i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void wrongContextIsRejected() throws IOException {
        final Path sealed = encrypt("tenant=acme");
        final Path out = dir.resolve("out.bin");
        final CliHarness.Result r = cli.run("decrypt", "--keystore", keystore.toString(), "--context", "tenant=evil",
                "--in", sealed.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertOneLineError(r, "encryption context");
        assertThat(out).doesNotExist();
    }

    @Test
    void rotatedKeysStillDecryptOldObjectsAndListShowsVersions() throws IOException {
        final Path before = encrypt("k=v");
        final CliHarness.Result rot = cli.run("keys", "rotate", "--keystore", keystore.toString(), "--key-id", "tenant-acme");
        assertThat(rot.exitCode()).as(rot.stderr()).isZero();
        final Path after = encrypt("k=v");
        final CliHarness.Result list = cli.run("keys", "list", "--keystore", keystore.toString());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).hasSize(1);
        assertThat(list.out()).contains("tenant-acme");
        for (final Path p : new Path[] {before, after}) {
            final Path back = dir.resolve(p.getFileName() + ".out");
            assertThat(cli.run("decrypt", "--keystore", keystore.toString(), "--context", "k=v", "--in", p.toString(),
                    "--out", back.toString()).exitCode()).isZero();
            assertThat(back).hasSameBinaryContentAs(plain);
        }
        final CliHarness.Result a = cli.run("inspect", "--in", before.toString());
        final CliHarness.Result b = cli.run("inspect", "--in", after.toString());
        assertThat(a.out()).containsPattern("kek: local:tenant-acme@\\S+");
        assertThat(kekLine(a.out())).isNotEqualTo(kekLine(b.out()));
    }

    @Test
    void stdinAndStdoutStream() throws IOException {
        final byte[] data = Files.readAllBytes(plain);
        final CliHarness.Result enc = cli.runWithStdin(data, "encrypt", "--keystore", keystore.toString(), "--key-id",
                "tenant-acme", "--in", "-", "--out", "-");
        assertThat(enc.exitCode()).as(enc.stderr()).isZero();
        final CliHarness.Result dec = cli.runWithStdin(enc.stdout(), "decrypt", "--keystore", keystore.toString(),
                "--in", "-", "--out", "-");
        assertThat(dec.exitCode()).as(dec.stderr()).isZero();
        assertThat(dec.stdout()).isEqualTo(data);

        final byte[] truncated = java.util.Arrays.copyOf(enc.stdout(), enc.stdout().length - 1);
        final CliHarness.Result bad = cli.runWithStdin(truncated, "decrypt", "--keystore", keystore.toString(),
                "--in", "-", "--out", "-");
        assertThat(bad.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertOneLineError(bad, "segment");
    }

    @Test
    void aStoredContextIsAnnouncedAndItsControlCharactersEscaped() throws IOException {
        final Path sealed = dir.resolve("stored.seal");
        final Path back = dir.resolve("stored.out");
        final String hostile = "x\u001b[2Jy";
        assertThat(cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme", "--store-context",
                "--context", "tenant=" + hostile, "--in", plain.toString(), "--out", sealed.toString()).exitCode()).isZero();

        final CliHarness.Result dec = cli.run("decrypt", "--keystore", keystore.toString(), "--in", sealed.toString(),
                "--out", back.toString());
        assertThat(dec.exitCode()).as(dec.stderr()).isZero();
        assertThat(back).hasSameBinaryContentAs(plain);
        assertThat(dec.stderr()).contains("context stored in the object").contains("\\u001b").doesNotContain("\u001b");

        final CliHarness.Result inspect = cli.run("inspect", "--in", sealed.toString());
        assertThat(inspect.out()).contains("stored-context: {tenant=x\\u001b[2Jy}").doesNotContain("\u001b");
    }

    @Test
    void missingOrWrongPassphraseFailsWithoutLeakingIt() {
        final CliHarness none = new CliHarness();
        final CliHarness.Result r1 = none.run("keys", "list", "--keystore", keystore.toString());
        assertThat(r1.exitCode()).isNotZero();
        assertOneLineError(r1, "SEALSTREAM_KEYSTORE_PASSWORD");

        final CliHarness wrong = new CliHarness().withPassphrase("hunter2-wrong");
        final CliHarness.Result r2 = wrong.run("keys", "list", "--keystore", keystore.toString());
        assertThat(r2.exitCode()).isNotZero();
        assertOneLineError(r2, "passphrase");
        assertThat(r2.stderr()).doesNotContain("hunter2-wrong").doesNotContain(PASSPHRASE);
    }

    @Test
    void usageErrorsAndUnknownKeysAreOneLine() {
        final CliHarness.Result missing = cli.run("encrypt", "--keystore", keystore.toString());
        assertThat(missing.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertOneLineError(missing, "Missing required option");

        final CliHarness.Result unknownKey = cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "nope",
                "--in", plain.toString(), "--out", dir.resolve("x").toString());
        assertThat(unknownKey.exitCode()).isEqualTo(SealstreamCli.EXIT_KEY_ERROR);
        assertOneLineError(unknownKey, "nope");
        assertThat(dir.resolve("x")).doesNotExist();

        final CliHarness.Result noFile = cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme",
                "--in", dir.resolve("absent").toString(), "--out", dir.resolve("y").toString());
        assertThat(noFile.exitCode()).isEqualTo(SealstreamCli.EXIT_FAILURE);
        assertOneLineError(noFile, "absent");

        final CliHarness.Result noDir = cli.run("encrypt", "--keystore", keystore.toString(), "--key-id", "tenant-acme",
                "--in", plain.toString(), "--out", dir.resolve("missing-dir").resolve("x.seal").toString());
        assertThat(noDir.exitCode()).isEqualTo(SealstreamCli.EXIT_FAILURE);
        assertOneLineError(noDir, "does not exist");

        final CliHarness.Result noStore = cli.run("keys", "list", "--keystore", dir.resolve("none.p12").toString());
        assertThat(noStore.exitCode()).isEqualTo(SealstreamCli.EXIT_KEY_ERROR);
        assertOneLineError(noStore, "no key store");
    }

    @Test
    void garbageInputIsRejected() throws IOException {
        final Path out = dir.resolve("out.bin");
        final CliHarness.Result r = cli.run("decrypt", "--keystore", keystore.toString(), "--in", plain.toString(),
                "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertOneLineError(r, "not a sealstream object");
        assertThat(out).doesNotExist();
    }

    private Path encrypt(final String... context) {
        final Path sealed = dir.resolve("obj-" + System.nanoTime() + ".seal");
        final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("encrypt", "--keystore",
                keystore.toString(), "--key-id", "tenant-acme", "--in", plain.toString(), "--out", sealed.toString()));
        for (final String c : context) {
            args.add("--context");
            args.add(c);
        }
        final CliHarness.Result r = cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return sealed;
    }

    private static String kekLine(final String inspect) {
        return inspect.lines().filter(l -> l.startsWith("kek:")).findFirst().orElseThrow();
    }

    private static void assertOneLineError(final CliHarness.Result r, final String mentioning) {
        assertThat(r.stderr().lines()).as(r.stderr()).hasSize(1);
        assertThat(r.stderr()).startsWith("sealstream: ").contains(mentioning).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void keysListJsonIsOneDocumentAScriptCanReadWithoutKeyMaterial() throws Exception {
        assertThat(cli.run("keys", "create", "--keystore", keystore.toString(), "--key-id", "k-one").exitCode()).isZero();
        assertThat(cli.run("keys", "create", "--keystore", keystore.toString(), "--key-id", "k-two").exitCode()).isZero();
        assertThat(cli.run("keys", "rotate", "--keystore", keystore.toString(), "--key-id", "k-two").exitCode()).isZero();

        final CliHarness.Result r = cli.run("keys", "list", "--keystore", keystore.toString(), "--json");
        assertThat(r.exitCode()).isZero();
        final com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.stdout());
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(3); // and tenant-acme, created before each test
        final java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.TreeMap<>();
        json.forEach(k -> byId.put(k.get("keyId").asText(), k));
        assertThat(byId).containsOnlyKeys("k-one", "k-two", "tenant-acme");
        assertThat(byId.get("k-two").get("versions")).hasSize(2);
        assertThat(byId.get("k-two").get("currentVersion").asText())
                .isEqualTo(byId.get("k-two").get("versions").get(1).asText());
        assertThat(byId.get("k-one").get("provider").asText()).isEqualTo("local");
        assertThat(r.out().lines().count()).as("one line: one document").isEqualTo(1);
    }
}
