package io.sealstream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust and key stores named by settings: JKS, PKCS12, or PEM (a file of CA certificates, as Kafka's
 * {@code ssl.truststore.type=PEM}). One loader for every client that takes them (the schema registry's, the S3
 * store's), so they read the same files the same way. Errors name the setting and the file, never a password.
 */
public final class TlsFiles {

    private TlsFiles() {
    }

    /**
     * The store at {@code location}; {@code type} null means PEM for a {@code .pem}/{@code .crt} file and PKCS12
     * otherwise.
     *
     * @throws IllegalArgumentException naming {@code setting} when the file cannot be read or parsed
     */
    public static KeyStore load(final Path location, final String type, final char[] password, final String setting) {
        final String t = type != null ? type.toUpperCase(Locale.ROOT)
                : location.toString().matches("(?i).*\\.(pem|crt|cer)$") ? "PEM" : "PKCS12";
        try (InputStream in = Files.newInputStream(location)) {
            if (t.equals("PEM")) {
                final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (final Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
                if (i == 0) {
                    throw new IllegalArgumentException(setting + ": " + location + " holds no PEM certificate");
                }
                return store;
            }
            final KeyStore store = KeyStore.getInstance(t);
            store.load(in, password);
            return store;
        } catch (final IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + location + " as " + t + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Trust managers trusting exactly the certificates of {@code store}. */
    public static TrustManager[] trusting(final KeyStore store) {
        try {
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("cannot build trust managers: " + e.getClass().getSimpleName(), e);
        }
    }
}
