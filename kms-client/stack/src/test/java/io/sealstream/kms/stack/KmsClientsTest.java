package io.sealstream.kms.stack;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.kms.metrics.KmsOperation;
import io.sealstream.kms.metrics.MeteredKeyManagementService;
import io.sealstream.kms.retry.RetryPolicy;
import io.sealstream.kms.retry.RetryingKeyManagementService;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsClientsTest {

    @TempDir
    Path dir;

    @Test
    void standardStackMakesOneKmsCallForHundredThousandObjects() {
        final LocalKeyStoreKms local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "s3cret-pass".toCharArray());
        local.createKey("orders");
        try (CachingKeyManagementService kms = KmsClients.standard(local, DataKeyCacheConfig.defaults(), RetryPolicy.defaults())) {
            final Set<String> dekIds = new HashSet<>();
            for (int i = 0; i < 100_000; i++) {
                try (DataKey key = kms.generateDataKey("orders")) {
                    dekIds.add(key.dekId());
                }
            }
            assertThat(dekIds).hasSize(1);
            assertThat(kms.stats().kmsCalls()).isEqualTo(1);
            assertThat(KmsClients.metrics(kms)).hasValueSatisfying(m ->
                    assertThat(m.get(KmsOperation.GENERATE_DATA_KEY).calls()).isEqualTo(1));
        }
    }

    @Test
    void layersAreCacheThenMetricsThenRetryThenProvider() {
        final LocalKeyStoreKms local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "s3cret-pass".toCharArray());
        try (CachingKeyManagementService kms = KmsClients.standard(local)) {
            assertThat(kms.delegate()).isInstanceOf(MeteredKeyManagementService.class);
            final KeyManagementService retry = ((MeteredKeyManagementService) kms.delegate()).delegate();
            assertThat(retry).isInstanceOf(RetryingKeyManagementService.class);
            assertThat(((RetryingKeyManagementService) retry).delegate()).isSameAs(local);
            assertThat(KeyManagementServiceDecorator.find(kms, LocalKeyStoreKms.class)).containsSame(local);
            assertThat(kms.providerName()).isEqualTo("local");
        }
    }
}
