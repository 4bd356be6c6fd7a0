package io.sealstream.kms.pkcs11;

import io.sealstream.kms.ProviderSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Destroyable;

/**
 * Settings of the {@code pkcs11} provider ({@link Pkcs11Kms}). Either a SunPKCS11 configuration file of your own
 * ({@code sunPkcs11Config}), or a PKCS#11 library and a slot, from which the provider generates the configuration
 * (with the {@code attributes(generate, CKO_SECRET_KEY, CKK_AES)} block that makes new KEKs sensitive and
 * non-extractable).
 *
 * <p>Properties ({@link #fromProperties}), all under {@value #PREFIX}:
 * <ul>
 *   <li>{@code config-file}: a SunPKCS11 configuration file (then none of the next three);</li>
 *   <li>{@code library}: absolute path of the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so};</li>
 *   <li>{@code slot}: the slot id, or {@code slot-list-index}: the index in the token's slot list (default 0).
 *       SunPKCS11 selects tokens by slot only; it has no way to select one by token label;</li>
 *   <li>{@code refresh-interval}: how long the list of KEK versions read from the token is trusted before
 *       {@code generateDataKey} re-reads it to notice rotations made by other processes (default 30s).</li>
 * </ul>
 * The user PIN comes from {@value Pkcs11Kms#PIN_ENV} or the file named by {@value Pkcs11Kms#PIN_FILE_ENV}, never
 * from the properties; a {@code sealstream.kms.pkcs11.pin} property is refused.
 *
 * @param sunPkcs11Config  a SunPKCS11 configuration file, or null when {@code library} is given
 * @param library          the PKCS#11 module, or null when {@code sunPkcs11Config} is given
 * @param slot             the slot id, or null
 * @param slotListIndex    the slot list index, or null (0 when neither slot setting is given)
 * @param refreshInterval  how long a read list of KEK versions is trusted by {@code generateDataKey}
 * @param pin              the user PIN (redacted in {@link #toString()})
 */
public record Pkcs11KmsConfig(Path sunPkcs11Config, Path library, Long slot, Integer slotListIndex,
                              Duration refreshInterval, Pin pin) {

    public static final String PREFIX = "sealstream.kms.pkcs11.";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);
    private static final Set<String> KEYS = Set.of("config-file", "library", "slot", "slot-list-index", "refresh-interval");

    public Pkcs11KmsConfig {
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(pin, "pin");
        if ((sunPkcs11Config == null) == (library == null)) {
            throw new IllegalArgumentException(PREFIX + "config-file or " + PREFIX + "library: set exactly one");
        }
        if (sunPkcs11Config != null && (slot != null || slotListIndex != null)) {
            throw new IllegalArgumentException(PREFIX + "slot and " + PREFIX
                    + "slot-list-index go with " + PREFIX + "library; with a config file, put the slot in the file");
        }
        if (slot != null && slotListIndex != null) {
            throw new IllegalArgumentException(PREFIX + "slot or " + PREFIX + "slot-list-index: set at most one");
        }
        if (library != null) {
            if (!library.isAbsolute()) {
                throw new IllegalArgumentException(PREFIX + "library must be an absolute path: " + library);
            }
            final String text = library.toString();
            if (text.indexOf('"') >= 0 || text.indexOf('\\') >= 0 || text.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(PREFIX + "library: the path contains a quote, a backslash or a control character");
            }
            if (slot == null && slotListIndex == null) {
                slotListIndex = 0;
            }
        }
        if (slot != null && slot < 0) {
            throw new IllegalArgumentException(PREFIX + "slot must not be negative");
        }
        if (slotListIndex != null && slotListIndex < 0) {
            throw new IllegalArgumentException(PREFIX + "slot-list-index must not be negative");
        }
        if (refreshInterval.isNegative()) {
            throw new IllegalArgumentException(PREFIX + "refresh-interval must not be negative");
        }
    }

    /** A configuration for {@code library} and slot list index {@code slotListIndex} with the default refresh. */
    public static Pkcs11KmsConfig forLibrary(final Path library, final int slotListIndex, final char[] pin) {
        return new Pkcs11KmsConfig(null, library, null, slotListIndex, DEFAULT_REFRESH_INTERVAL, Pin.of(pin));
    }

    /** A configuration for {@code library} and slot id {@code slot} with the default refresh. */
    public static Pkcs11KmsConfig forSlot(final Path library, final long slot, final char[] pin) {
        return new Pkcs11KmsConfig(null, library, slot, null, DEFAULT_REFRESH_INTERVAL, Pin.of(pin));
    }

    /** Reads the {@value #PREFIX}{@code *} properties and the PIN from {@code environment}. */
    public static Pkcs11KmsConfig fromProperties(final Map<String, String> config, final Map<String, String> environment) {
        if (config.containsKey(PREFIX + "pin")) {
            throw new IllegalArgumentException(PREFIX + "pin: the PIN is never read from the configuration; set "
                    + Pkcs11Kms.PIN_ENV + ", or " + Pkcs11Kms.PIN_FILE_ENV + " to a file holding it");
        }
        ProviderSettings.rejectUnknownKeys(config, PREFIX, KEYS);
        final String file = ProviderSettings.optional(config, PREFIX + "config-file");
        final String library = ProviderSettings.optional(config, PREFIX + "library");
        final Long slot = parse(config, "slot", Long::valueOf);
        final Integer index = parse(config, "slot-list-index", Integer::valueOf);
        final Duration refresh = ProviderSettings.duration(config, PREFIX + "refresh-interval", DEFAULT_REFRESH_INTERVAL);
        if (file == null && library == null) {
            throw new IllegalArgumentException("sealstream.kms.provider=pkcs11 needs " + PREFIX + "library (with "
                    + PREFIX + "slot or " + PREFIX + "slot-list-index) or " + PREFIX + "config-file");
        }
        // Validate the non-secret settings before touching the secret, so a typo is reported first.
        new Pkcs11KmsConfig(file == null ? null : Path.of(file), library == null ? null : Path.of(library), slot, index,
                refresh, Pin.of(new char[] {'-'}));
        final char[] pin = ProviderSettings.secretCharsFromEnvironment(environment, Pkcs11Kms.PIN_ENV, Pkcs11Kms.PIN_FILE_ENV,
                "PKCS#11 PIN");
        try {
            return new Pkcs11KmsConfig(file == null ? null : Path.of(file), library == null ? null : Path.of(library),
                    slot, index, refresh, Pin.of(pin));
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static <T> T parse(final Map<String, String> config, final String key,
                               final java.util.function.Function<String, T> parser) {
        final String value = ProviderSettings.optional(config, PREFIX + key);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + ": not a number: '" + ProviderSettings.oneLine(value) + "'");
        }
    }

    /** Opens the provider; the PIN is copied into it, so this configuration may be {@linkplain Pin#destroy() destroyed}. */
    public Pkcs11Kms open() {
        return Pkcs11Kms.open(this);
    }

    /** What the configuration points at, for messages: the config file, or the library and slot. Never the PIN. */
    public String describeToken() {
        if (sunPkcs11Config != null) {
            return "PKCS#11 token of SunPKCS11 config " + sunPkcs11Config;
        }
        return "PKCS#11 token in " + (slot != null ? "slot " + slot : "slot list index " + slotListIndex) + " of " + library;
    }

    /**
     * The SunPKCS11 configuration generated for {@code library}, or null when a config file is used. New AES keys are
     * generated sensitive and non-extractable: the token never lets their value out.
     */
    public String generatedSunPkcs11Config() {
        if (library == null) {
            return null;
        }
        return "name = sealstream\n"
                + "library = \"" + library + "\"\n"
                + (slot != null ? "slot = " + slot : "slotListIndex = " + slotListIndex) + "\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n";
    }

    @Override
    public String toString() {
        return "Pkcs11KmsConfig[" + describeToken() + ", refreshInterval=" + refreshInterval + ", pin=<redacted>]";
    }

    /** The user PIN: a copy held until {@link #destroy()}; never printed. Equal only to itself. */
    public static final class Pin implements Destroyable {
        private final char[] value;
        private volatile boolean destroyed;

        private Pin(final char[] value) {
            this.value = value;
        }

        /** A copy of {@code pin}; the caller may zero its array afterwards. */
        public static Pin of(final char[] pin) {
            Objects.requireNonNull(pin, "pin");
            if (pin.length == 0) {
                throw new IllegalArgumentException("the PKCS#11 PIN must not be empty");
            }
            return new Pin(pin.clone());
        }

        /** A fresh copy of the PIN; the caller zeroes it. */
        char[] copy() {
            if (destroyed) {
                throw new IllegalStateException("the PKCS#11 PIN of this configuration has been destroyed");
            }
            return value.clone();
        }

        @Override
        public void destroy() {
            destroyed = true;
            Arrays.fill(value, '\0');
        }

        @Override
        public boolean isDestroyed() {
            return destroyed;
        }

        @Override
        public String toString() {
            return "<redacted>";
        }
    }
}
