package io.sealstream.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * How a KMS provider is found and opened: each provider module registers one factory in
 * {@code META-INF/services/io.sealstream.kms.KmsProviderFactory}, and {@link #openConfigured} picks it by the name in
 * {@code sealstream.kms.provider}. Adding a provider touches its own module only.
 */
public interface KmsProviderFactory {

    /** The configuration key that names the provider. */
    String PROVIDER_KEY = "sealstream.kms.provider";
    /** The provider used when none is named: the local key store. */
    String DEFAULT_PROVIDER = "local";

    /** The name {@code sealstream.kms.provider} gives, e.g. {@code local}, {@code pkcs11}, {@code aws-kms}. */
    String name();

    /**
     * Opens the provider from its settings ({@code sealstream.kms.<name>.*}, among others) and the environment (where
     * secrets such as passphrases and PINs come from, never the settings). Fails with a one-line
     * {@link IllegalArgumentException} naming the key when a setting is wrong.
     */
    KeyManagementService open(Map<String, String> settings, Map<String, String> environment);

    /** The factory registered under {@code name}, if any (on this class's class loader). */
    static Optional<KmsProviderFactory> find(final String name) {
        for (final KmsProviderFactory f : ServiceLoader.load(KmsProviderFactory.class, KmsProviderFactory.class.getClassLoader())) {
            if (f.name().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The names of every registered provider, sorted. */
    static List<String> available() {
        final List<String> names = new ArrayList<>();
        ServiceLoader.load(KmsProviderFactory.class, KmsProviderFactory.class.getClassLoader())
                .forEach(f -> names.add(f.name()));
        names.sort(String::compareTo);
        return names;
    }

    /** Opens the provider {@code settings} name ({@link #PROVIDER_KEY}, default {@link #DEFAULT_PROVIDER}). */
    static KeyManagementService openConfigured(final Map<String, String> settings, final Map<String, String> environment) {
        final String v = settings.get(PROVIDER_KEY);
        final String name = v == null || v.isBlank() ? DEFAULT_PROVIDER : v.trim();
        return find(name).orElseThrow(() -> new IllegalArgumentException(PROVIDER_KEY + ": unknown provider '" + name
                        + "'; available: " + String.join(", ", available()) + " (docs/kms/)"))
                .open(settings, environment);
    }
}
