package io.sealstream.pipeline;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.hadoop.HadoopKms;
import io.sealstream.kms.hadoop.HadoopKmsConfig;
import io.sealstream.kms.testing.HadoopKmsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The key lifecycle with KEKs in a real Hadoop KMS server (3.4.3, started from Maven Central's jars as its own JVM).
 * Hadoop KMS rolls keys over but cannot destroy a single version, so shredding a data key ends registry-only and
 * says so, and the old version is not destroyed.
 */
class HadoopKmsKeyLifecycleIT extends KeyLifecycleContractIT {

    private static HadoopKmsServer server;

    @Override
    protected void useProvider(final PipelineFixture f, final Path dir) throws Exception {
        synchronized (HadoopKmsKeyLifecycleIT.class) {
            if (server == null) {
                server = HadoopKmsServer.start(Files.createTempDirectory("hadoop-kms-it"));
            }
        }
        final Map<String, String> settings = Map.of("sealstream.kms.provider", HadoopKms.PROVIDER,
                HadoopKmsConfig.PREFIX + "url", server.url().toString());
        f.config.putAll(settings);
        final String acme = "it-acme-" + f.id;
        final String fallback = "it-default-" + f.id;
        try (KeyManagementService kms = HadoopKmsConfig.fromProperties(settings, Map.of()).open()) {
            kms.createKey(acme);
            kms.createKey(fallback);
        }
        f.config.put("sealstream.keys.tenant.acme", acme);
        f.config.put("sealstream.keys.default", fallback);
    }

    @Override
    protected boolean destroysVersions() {
        return false;
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
