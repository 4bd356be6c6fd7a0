package io.sealstream.kms.testing;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Real SoftHSM2 tokens for tests, one set per JVM.
 *
 * <p>SoftHSM reads the path of its configuration file from the environment variable {@value #CONF_ENV} once, when the
 * PKCS#11 library is initialised (the first SunPKCS11 provider configured for it), and a JVM cannot change its own
 * environment. So the test JVM is started with {@value #CONF_ENV} pointing at a file under {@code target/} (surefire's
 * {@code environmentVariables} in the module's pom), and the first call here, before any provider exists, writes that
 * file with a token directory of its own beside it, empties the directory and initialises two tokens with
 * {@code softhsm2-util --init-token --free}: {@link #shared()} for the tests, and {@link #neverLoggedIn()}, which no
 * test may log in to successfully (PKCS#11 login state belongs to the whole process, so a wrong PIN is only refused by
 * a token nobody in the JVM is logged in to). Tokens are selected by slot id, which {@code softhsm2-util} prints.
 *
 * <p>Without SoftHSM2 ({@value #LIBRARY} missing) or without {@value #CONF_ENV} the tests are skipped with the reason
 * printed, unless {@value #REQUIRE_ENV}{@code =1} is set (as CI does): then they fail.
 */
public final class SoftHsmToken {

    /** The SoftHSM2 PKCS#11 module: Debian's path, or the system property {@code sealstream.softhsm.library}. */
    public static final String LIBRARY = System.getProperty("sealstream.softhsm.library", "/usr/lib/softhsm/libsofthsm2.so");
    public static final String CONF_ENV = "SOFTHSM2_CONF";
    public static final String REQUIRE_ENV = "SEALSTREAM_REQUIRE_SOFTHSM";
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

    private static SoftHsmToken shared;
    private static SoftHsmToken spare;
    private static String unavailable;
    private static boolean reported;

    private final String label;
    private final long slot;
    private final String pin;
    private final String soPin;

    private SoftHsmToken(final String label, final long slot, final String pin, final String soPin) {
        this.label = label;
        this.slot = slot;
        this.pin = pin;
        this.soPin = soPin;
    }

    /** The token the tests use (label {@code sealstream-test}); skips or fails the caller when SoftHSM2 is missing. */
    public static synchronized SoftHsmToken shared() {
        initialise();
        return shared;
    }

    /** A second token that no test logs in to, for wrong-PIN checks. */
    public static synchronized SoftHsmToken neverLoggedIn() {
        initialise();
        return spare;
    }

    /** Skips the calling test (or fails it, under {@value #REQUIRE_ENV}=1) when SoftHSM2 cannot be used here. */
    public static synchronized void assumeAvailable() {
        initialise();
    }

    private static void initialise() {
        if (shared != null) {
            return;
        }
        if (unavailable == null) {
            unavailable = whyUnavailable();
        }
        if (!unavailable.isEmpty()) {
            if ("1".equals(System.getenv(REQUIRE_ENV))) {
                throw new AssertionError("SoftHSM2 is required (" + REQUIRE_ENV + "=1) but " + unavailable);
            }
            if (!reported) {
                reported = true;
                // Straight to the JVM's stderr, past the test output capture, so the build log shows why.
                final PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
                console.println("[WARNING] SoftHSM2 tests skipped: " + unavailable + " (set " + REQUIRE_ENV
                        + "=1 to fail instead)");
            }
            Assumptions.abort("SoftHSM2 tests skipped: " + unavailable);
        }
        try {
            final Path conf = Path.of(System.getenv(CONF_ENV)).toAbsolutePath();
            final Path tokens = conf.resolveSibling("tokens");
            deleteRecursively(tokens);
            Files.createDirectories(tokens);
            Files.writeString(conf, "directories.tokendir = " + tokens + "/\nobjectstore.backend = file\n"
                    + "log.level = ERROR\nslots.removable = false\n", StandardCharsets.UTF_8);
            shared = initToken(conf, "sealstream-test", "1234", "5678");
            spare = initToken(conf, "sealstream-spare", "2468", "1357");
        } catch (final IOException e) {
            throw new IllegalStateException("cannot initialise SoftHSM2 tokens: " + e, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted initialising SoftHSM2 tokens", e);
        }
    }

    private static String whyUnavailable() {
        if (!Files.isRegularFile(Path.of(LIBRARY))) {
            return LIBRARY + " is missing (apt-get install softhsm2)";
        }
        if (softHsmUtil() == null) {
            return "softhsm2-util is not on the PATH (apt-get install softhsm2)";
        }
        final String conf = System.getenv(CONF_ENV);
        if (conf == null || conf.isBlank()) {
            return CONF_ENV + " is not set in this JVM's environment (SoftHSM reads it at initialisation; the pom "
                    + "sets it for surefire)";
        }
        return "";
    }

    private static String softHsmUtil() {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, "softhsm2-util");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/softhsm2-util")) ? "/usr/bin/softhsm2-util" : null;
    }

    private static SoftHsmToken initToken(final Path conf, final String label, final String pin, final String soPin)
            throws IOException, InterruptedException {
        final ProcessBuilder builder = new ProcessBuilder(softHsmUtil(), "--init-token", "--free", "--label", label,
                "--so-pin", soPin, "--pin", pin).redirectErrorStream(true);
        builder.environment().put(CONF_ENV, conf.toString());
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("softhsm2-util --init-token failed: " + output.strip());
        }
        final Matcher m = SLOT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("softhsm2-util printed no slot: " + output.strip());
        }
        return new SoftHsmToken(label, Long.parseLong(m.group(1)), pin, soPin);
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    public String label() {
        return label;
    }

    /** The slot id the token was assigned (stable while the token exists). */
    public long slot() {
        return slot;
    }

    public String pin() {
        return pin;
    }

    public String soPin() {
        return soPin;
    }

    public static Path library() {
        return Path.of(LIBRARY);
    }

    /** The properties (sealstream.kms.pkcs11.*) for this token. */
    public Map<String, String> properties() {
        return Map.of("sealstream.kms.pkcs11.library", LIBRARY, "sealstream.kms.pkcs11.slot", Long.toString(slot));
    }

    /** Environment for a child process that uses this token (the PIN in the provider's variable). */
    public Map<String, String> childEnvironment() {
        return Map.of(CONF_ENV, System.getenv(CONF_ENV), "SEALSTREAM_PKCS11_PIN", pin);
    }

    /** Lines a test can log about the token, without the PINs. */
    public List<String> describe() {
        return List.of("SoftHSM2 token '" + label + "' in slot " + slot, CONF_ENV + "=" + System.getenv(CONF_ENV));
    }

    @Override
    public String toString() {
        return "SoftHsmToken[" + label + ", slot " + slot + "]";
    }
}
