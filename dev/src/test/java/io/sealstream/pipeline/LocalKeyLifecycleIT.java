package io.sealstream.pipeline;

import java.nio.file.Path;

/** The key lifecycle on the embedded default KMS (a PKCS#12 key store). */
class LocalKeyLifecycleIT extends KeyLifecycleContractIT {

    @Override
    protected void useProvider(final PipelineFixture f, final Path dir) {
        // the fixture already uses the local key store with its two KEKs
    }
}
