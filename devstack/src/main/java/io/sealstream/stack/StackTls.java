package io.sealstream.stack;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The secured local stack's own PKI and credentials, under {@code DIR/tls} (owner-only): a CA, a server certificate
 * for {@code localhost}/{@code 127.0.0.1} that every service presents (the broker's listeners, the registry, S3Proxy),
 * a client certificate for mutual TLS, and the SCRAM user the broker's SASL_SSL listener knows. Made once; a stack
 * started again in the same directory keeps them, so clients configured for it keep working.
 *
 * <p>Files: {@code ca.pem} (what clients trust), {@code truststore.p12}, {@code server.p12}, {@code client.p12} (one
 * random password for the three, in {@code store-password}), {@code kafka-password} (the SCRAM user
 * {@value #KAFKA_USER}'s) and {@code kafka-jaas} (the client's {@code sasl.jaas.config}, which holds that password).
 */
public final class StackTls {

    public static final String KAFKA_USER = "sealstream";
    public static final String DIR = "tls";

    private final Path dir;
    private final String storePassword;
    private final String kafkaPassword;

    private StackTls(final Path dir, final String storePassword, final String kafkaPassword) {
        this.dir = dir;
        this.storePassword = storePassword;
        this.kafkaPassword = kafkaPassword;
    }

    /** The stack's PKI in {@code stackDir/tls}, made on first use. */
    public static StackTls createOrLoad(final Path stackDir) throws IOException {
        final Path dir = stackDir.resolve(DIR);
        if (Files.isRegularFile(dir.resolve("client.p12")) && Files.isRegularFile(dir.resolve("kafka-jaas"))) {
            return new StackTls(dir, Files.readString(dir.resolve("store-password")).strip(),
                    Files.readString(dir.resolve("kafka-password")).strip());
        }
        Files.createDirectories(dir);
        final StackTls tls = new StackTls(dir, random(18), random(24));
        try {
            tls.issue();
        } catch (final GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the stack's certificates: " + e, e);
        }
        return tls;
    }

    private void issue() throws IOException, GeneralSecurityException, OperatorCreationException {
        final KeyPair caKeys = keyPair();
        final X500Name caName = new X500Name("CN=sealstream local stack CA");
        final X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), notBefore(),
                notAfter(), caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        final X509Certificate caCert = sign(ca, caKeys);
        final KeyPair serverKeys = keyPair();
        final X509Certificate server = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                new X500Name("CN=localhost"), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                // Server and client: the broker also presents it to itself on the inter-broker (mutual TLS) listener.
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})), caKeys);
        final KeyPair clientKeys = keyPair();
        final X509Certificate client = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                new X500Name("CN=" + KAFKA_USER), clientKeys.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)),
                caKeys);
        writeSecret("store-password", storePassword);
        writeSecret("kafka-password", kafkaPassword);
        writeSecret("kafka-jaas", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + KAFKA_USER + "\" password=\"" + kafkaPassword + "\";");
        Files.writeString(dir.resolve("ca.pem"), pem(caCert), StandardCharsets.UTF_8);
        final KeyStore trust = emptyStore();
        trust.setCertificateEntry("ca", caCert);
        store(trust, "truststore.p12");
        final KeyStore serverStore = emptyStore();
        serverStore.setKeyEntry("server", serverKeys.getPrivate(), storePassword.toCharArray(),
                new Certificate[] {server, caCert});
        store(serverStore, "server.p12");
        final KeyStore clientStore = emptyStore();
        clientStore.setKeyEntry("client", clientKeys.getPrivate(), storePassword.toCharArray(),
                new Certificate[] {client, caCert});
        store(clientStore, "client.p12");
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    public Path serverKeystore() {
        return dir.resolve("server.p12");
    }

    public Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    /** The password of the three PKCS12 stores and of their keys (also in {@code store-password}). */
    public String storePassword() {
        return storePassword;
    }

    public String kafkaPassword() {
        return kafkaPassword;
    }

    /** The broker's SSL settings: its certificate, and trust in the stack's CA (for client certificates). */
    Map<String, String> brokerSsl() {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("ssl.keystore.type", "PKCS12");
        m.put("ssl.keystore.location", serverKeystore().toString());
        m.put("ssl.keystore.password", storePassword);
        m.put("ssl.key.password", storePassword);
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.location", truststore().toString());
        m.put("ssl.truststore.password", storePassword);
        return m;
    }

    /** A Kafka client of the mutual-TLS listener: the client certificate, trust in the stack's CA. */
    public Map<String, Object> mtlsClient() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("security.protocol", "SSL");
        m.put("ssl.keystore.type", "PKCS12");
        m.put("ssl.keystore.location", clientKeystore().toString());
        m.put("ssl.keystore.password", storePassword);
        m.put("ssl.key.password", storePassword);
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.location", caPem().toString());
        return m;
    }

    /**
     * What stack.env gives clients of the secured stack, as sealstream reads it: Kafka over SASL_SSL with
     * SCRAM-SHA-512 (the JAAS line from a file, never the password itself), the registry and S3 over https trusting
     * the stack's CA.
     */
    Map<String, String> clientEnvironment(final int mtlsPort) {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("SEALSTREAM_CONFIG_SECURITY_PROTOCOL", "SASL_SSL");
        m.put("SEALSTREAM_CONFIG_SASL_MECHANISM", "SCRAM-SHA-512");
        m.put("SEALSTREAM_CONFIG_SASL_JAAS_CONFIG_FILE", dir.resolve("kafka-jaas").toString());
        m.put("SEALSTREAM_CONFIG_SSL_TRUSTSTORE_TYPE", "PEM");
        m.put("SEALSTREAM_CONFIG_SSL_TRUSTSTORE_LOCATION", caPem().toString());
        m.put("SEALSTREAM_CONFIG_SCHEMA_REGISTRY_SSL_TRUSTSTORE_TYPE", "PEM");
        m.put("SEALSTREAM_CONFIG_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", caPem().toString());
        m.put("SEALSTREAM_CONFIG_SEALSTREAM_STORE_S3_TRUSTSTORE", caPem().toString());
        // For other clients: the mutual-TLS listener, the client certificate, the CA (AWS CLI: AWS_CA_BUNDLE).
        m.put("KAFKA_MTLS_BOOTSTRAP_SERVERS", "127.0.0.1:" + mtlsPort);
        m.put("KAFKA_MTLS_KEYSTORE", clientKeystore().toString());
        m.put("KAFKA_MTLS_KEYSTORE_PASSWORD_FILE", dir.resolve("store-password").toString());
        m.put("AWS_CA_BUNDLE", caPem().toString());
        return m;
    }

    /** An SSL context trusting the stack's CA and presenting the client certificate: the launcher's own checks. */
    public SSLContext sslContext() {
        try {
            final KeyStore keys = io.sealstream.config.TlsFiles.load(clientKeystore(), "PKCS12",
                    storePassword.toCharArray(), "the stack's client key store");
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, storePassword.toCharArray());
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), io.sealstream.config.TlsFiles.trusting(io.sealstream.config.TlsFiles
                    .load(caPem(), "PEM", null, "the stack's CA")), null);
            return context;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the stack's TLS stores: " + e, e);
        }
    }

    private void writeSecret(final String name, final String content) throws IOException {
        Files.writeString(ownerOnly(name), content, StandardCharsets.UTF_8);
    }

    private void store(final KeyStore store, final String name) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(ownerOnly(name))) {
            store.store(out, storePassword.toCharArray());
        }
    }

    /** {@code dir/name}, created afresh readable by its owner only: every file here but ca.pem holds a secret. */
    private Path ownerOnly(final String name) throws IOException {
        final Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final KeyPair issuer)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static String pem(final X509Certificate cert) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(825)));
    }

    private static String random(final int bytes) {
        final byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
