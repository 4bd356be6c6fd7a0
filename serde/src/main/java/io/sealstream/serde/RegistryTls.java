package io.sealstream.serde;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The registry client's TLS, from Confluent's keys: {@code schema.registry.ssl.truststore.location},
 * {@code .truststore.password}, {@code .truststore.type} (JKS, PKCS12 or PEM: a file of CA certificates), and for
 * mutual TLS {@code schema.registry.ssl.keystore.location}, {@code .keystore.password}, {@code .keystore.type},
 * {@code .key.password}. Without a trust store, the JVM's default trust applies. Errors name the key, never a
 * password.
 */
final class RegistryTls {

    static final String PREFIX = "schema.registry.ssl.";
    static final String TRUSTSTORE_LOCATION = PREFIX + "truststore.location";
    static final String TRUSTSTORE_PASSWORD = PREFIX + "truststore.password";
    static final String TRUSTSTORE_TYPE = PREFIX + "truststore.type";
    static final String KEYSTORE_LOCATION = PREFIX + "keystore.location";
    static final String KEYSTORE_PASSWORD = PREFIX + "keystore.password";
    static final String KEYSTORE_TYPE = PREFIX + "keystore.type";
    static final String KEY_PASSWORD = PREFIX + "key.password";

    private RegistryTls() {
    }

    /** The SSL context the keys describe, or null when none is set (the JVM's defaults then apply). */
    static SSLContext fromConfigs(final Map<String, ?> configs) {
        final String trustLocation = text(configs, TRUSTSTORE_LOCATION);
        final String keyLocation = text(configs, KEYSTORE_LOCATION);
        if (trustLocation == null && keyLocation == null) {
            return null;
        }
        try {
            TrustManagerFactory tmf = null;
            if (trustLocation != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(trustLocation, text(configs, TRUSTSTORE_TYPE), text(configs, TRUSTSTORE_PASSWORD),
                        TRUSTSTORE_LOCATION));
            }
            KeyManagerFactory kmf = null;
            if (keyLocation != null) {
                final String type = text(configs, KEYSTORE_TYPE);
                if ("PEM".equalsIgnoreCase(type)) {
                    throw new ConfigException(KEYSTORE_TYPE + "=PEM is not supported for the registry client: use "
                            + "PKCS12 or JKS");
                }
                final String password = text(configs, KEYSTORE_PASSWORD);
                final String keyPassword = text(configs, KEY_PASSWORD);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keyLocation, type, password, KEYSTORE_LOCATION),
                        chars(keyPassword != null ? keyPassword : password));
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (final GeneralSecurityException e) {
            throw new ConfigException("schema.registry.ssl.*: cannot set up TLS (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static KeyStore load(final String location, final String type, final String password, final String key) {
        try {
            // No type: PEM for .pem/.crt/.cer files, else PKCS12 (whose loader also reads JKS), as for S3's trust.
            return io.sealstream.config.TlsFiles.load(Path.of(location), type, chars(password), key);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static char[] chars(final String s) {
        return s == null ? null : s.toCharArray();
    }

    private static String text(final Map<String, ?> configs, final String key) {
        final Object v = configs.get(key);
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v).trim();
    }
}
