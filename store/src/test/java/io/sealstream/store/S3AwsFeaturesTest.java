package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sealstream.testing.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store's AWS-side settings against S3Proxy: the default credential chain with web identity (what EKS IRSA
 * gives a pod) resolving against a local STS, the region from the environment, and server-side encryption headers.
 */
class S3AwsFeaturesTest {

    private static final String BUCKET = "store-aws-test";
    /** What the JVM's AWS system properties were, restored after each test. */
    private final Map<String, String> savedProperties = new HashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void bucket() {
        S3ProxyServer.shared().createBucket(BUCKET);
    }

    private void setProperty(final String name, final String value) {
        savedProperties.putIfAbsent(name, System.getProperty(name));
        System.setProperty(name, value);
    }

    @AfterEach
    void restoreProperties() {
        savedProperties.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    /**
     * The chain finds the web identity token file and role (as the EKS pod identity webhook sets them), calls
     * AssumeRoleWithWebIdentity on STS (the {@code sts} module must be on the class path for this), and signs the S3
     * requests with the temporary credentials STS returned (S3Proxy itself accepts no session token, so the signed
     * requests are checked as sent).
     */
    @Test
    void webIdentityCredentialsResolveAgainstStsAndSignTheStoresRequests() throws Exception {
        final Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.service-account-token.sig");
        final List<Map<String, String>> stsCalls = new ArrayList<>();
        final HttpServer sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sts.createContext("/", exchange -> {
            final Map<String, String> form = new HashMap<>();
            for (final String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    .split("&")) {
                final String[] kv = pair.split("=", 2);
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            synchronized (stsCalls) {
                stsCalls.add(form);
            }
            final byte[] body = assumeRoleResponse().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sts.start();
        try {
            setProperty("aws.webIdentityTokenFile", token.toString());
            setProperty("aws.roleArn", "arn:aws:iam::123456789012:role/sealstream");
            setProperty("aws.roleSessionName", "sealstream-test");
            setProperty("aws.region", "eu-west-3");
            setProperty("aws.endpointUrlSts", "http://127.0.0.1:" + sts.getAddress().getPort());
            final S3StoreConfig config = new S3StoreConfig(S3ProxyServer.shared().endpoint(), null, null, null, true,
                    null, null, null, null, null, null, null, null);
            assertThat(config.hasStaticCredentials()).isFalse();
            final List<Map<String, List<String>>> signed = new java.util.concurrent.CopyOnWriteArrayList<>();
            final software.amazon.awssdk.core.interceptor.ExecutionInterceptor onTheWire =
                    new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                        @Override
                        public void beforeTransmission(
                                final software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context,
                                final software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                            signed.add(context.httpRequest().headers());
                        }
                    };
            try (S3ObjectStore store = new S3ObjectStore(config,
                    b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(onTheWire)))) {
                assertThat(store.region().id()).as("the region comes from the environment").isEqualTo("eu-west-3");
                try {
                    store.put(new ObjectLocation(BUCKET, "irsa/object"), Map.of(),
                            out -> out.write("signed with web identity".getBytes(StandardCharsets.UTF_8)));
                } catch (final IOException e) {
                    // S3Proxy implements no session tokens ("501 NotImplemented: A header you provided implies
                    // functionality that is not implemented"): what was signed and sent is checked instead.
                    assertThat(e).hasMessageContaining("NotImplemented");
                }
            }
            // Signed with STS's temporary credentials: its access key in the signature, its session token sent.
            assertThat(signed).isNotEmpty().allSatisfy(headers -> {
                assertThat(headers.get("Authorization")).singleElement().asString()
                        .contains("Credential=" + STS_ACCESS_KEY + "/").contains("/eu-west-3/s3/aws4_request");
                assertThat(headers.get("x-amz-security-token")).containsExactly(STS_SESSION_TOKEN);
            });
            assertThat(stsCalls).isNotEmpty();
            assertThat(stsCalls.get(0)).containsEntry("Action", "AssumeRoleWithWebIdentity")
                    .containsEntry("RoleArn", "arn:aws:iam::123456789012:role/sealstream")
                    .containsEntry("WebIdentityToken", Files.readString(token));
        } finally {
            sts.stop(0);
        }
    }

    private static final String STS_ACCESS_KEY = "ASIATEMPORARYFROMSTS";
    private static final String STS_SESSION_TOKEN = "session-token-from-sts";

    /** Temporary credentials, as STS returns them. */
    private static String assumeRoleResponse() {
        return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<AssumeRoleWithWebIdentityResult><Credentials>"
                + "<AccessKeyId>" + STS_ACCESS_KEY + "</AccessKeyId>"
                + "<SecretAccessKey>temporary-secret-from-sts</SecretAccessKey>"
                + "<SessionToken>" + STS_SESSION_TOKEN + "</SessionToken>"
                + "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
                + "<SubjectFromWebIdentityToken>system:serviceaccount:sealstream:sealstream</SubjectFromWebIdentityToken>"
                + "<AssumedRoleUser><AssumedRoleId>AROA:sealstream-test</AssumedRoleId>"
                + "<Arn>arn:aws:sts::123456789012:assumed-role/sealstream/sealstream-test</Arn></AssumedRoleUser>"
                + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
                + "</AssumeRoleWithWebIdentityResponse>";
    }

    @Test
    void withoutARegionSettingTheEnvironmentsRegionSignsElseUsEast1() {
        final S3StoreConfig config = S3StoreConfig.forEndpoint(S3ProxyServer.shared().endpoint(), "a", "b");
        setProperty("aws.region", "ap-southeast-2");
        assertThat(S3Clients.region(config).id()).isEqualTo("ap-southeast-2");
        assertThat(S3Clients.region(config.withRegion("eu-central-1")).id()).as("the setting wins")
                .isEqualTo("eu-central-1");
    }

    @Test
    void serverSideEncryptionIsAskedOnEveryWriteSmallAndMultipart() throws IOException {
        final RecordingInterceptor recorder = new RecordingInterceptor();
        final S3StoreConfig config = S3StoreConfig.forEndpoint(S3ProxyServer.shared().endpoint(),
                        S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                .withMultipart(5L << 20, 5L << 20)
                .withServerSideEncryption(S3StoreConfig.ServerSideEncryption.parse("kms", "alias/sealstream-at-rest"));
        final List<String> written = new ArrayList<>();
        try (S3ObjectStore store = new S3ObjectStore(config,
                b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(recorder)))) {
            assertThat(store.describe()).contains("sse-kms");
            for (final int size : new int[] {1000, (5 << 20) + 1}) {
                final ObjectLocation at = new ObjectLocation(BUCKET, "sse/" + size);
                try {
                    store.put(at, Map.of(), out -> new ByteArrayInputStream(new byte[size]).transferTo(out));
                    written.add(at.key());
                } catch (final IOException refused) {
                    // S3Proxy may refuse SSE headers it does not implement; what was sent is still checked below.
                }
            }
        }
        final List<RecordingInterceptor.Sent> writes = recorder.sent().stream()
                .filter(r -> r.operation().equals("PutObject") || r.operation().equals("CreateMultipartUpload"))
                .toList();
        assertThat(writes).extracting(RecordingInterceptor.Sent::operation)
                .contains("PutObject", "CreateMultipartUpload");
        for (final RecordingInterceptor.Sent write : writes) {
            assertThat(write.headers()).as(write.operation())
                    .containsEntry("x-amz-server-side-encryption", List.of("aws:kms"))
                    .containsEntry("x-amz-server-side-encryption-aws-kms-key-id", List.of("alias/sealstream-at-rest"));
        }
        System.out.println("SSE-KMS writes S3Proxy accepted: " + written);
    }

    @Test
    void serverSideEncryptionSettingsAreValidated() {
        assertThat(S3StoreConfig.ServerSideEncryption.parse("S3", null).mode())
                .isEqualTo(S3StoreConfig.ServerSideEncryption.Mode.S3);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> S3StoreConfig.ServerSideEncryption.parse("s3", "alias/x"))
                .hasMessage("sse-kms-key-id needs sse=kms");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> S3StoreConfig.ServerSideEncryption.parse("aes", null))
                .hasMessage("sse must be none, s3 or kms, got 'aes'");
    }
}
