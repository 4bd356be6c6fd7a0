package io.sealstream.kms.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteredKeyManagementServiceTest {

    @TempDir
    Path dir;

    @Test
    void countsCallsFailuresAndLatencyPerOperation() {
        final AtomicLong nanos = new AtomicLong();
        final KeyManagementService local = LocalKeyStoreKms.open(dir.resolve("k.p12"), "pw-123456".toCharArray());
        final KeyManagementService ticking = new KeyManagementService() {
            // Every call takes 3 ms of fake time; unknown keys fail permanently, "down" transiently.
            @Override public String providerName() { return local.providerName(); }
            @Override public DataKey generateDataKey(final String kekId, final KeyScope scope) {
                nanos.addAndGet(3_000_000);
                if (kekId.equals("down")) {
                    throw new KmsUnavailableException("down");
                }
                return local.generateDataKey(kekId);
            }
            @Override public DataKey unwrap(final io.sealstream.kms.WrappedDataKey w) { return local.unwrap(w); }
            @Override public io.sealstream.kms.WrappedDataKey rewrap(final io.sealstream.kms.WrappedDataKey w) { return local.rewrap(w); }
            @Override public io.sealstream.kms.KeyDescription describeKey(final String k) { return local.describeKey(k); }
            @Override public io.sealstream.kms.KeyDescription createKey(final String k) { return local.createKey(k); }
            @Override public io.sealstream.kms.KeyDescription rotateKey(final String k) { return local.rotateKey(k); }
            @Override public java.util.List<io.sealstream.kms.KeyDescription> listKeys() { return local.listKeys(); }
            @Override public void close() { local.close(); }
        };
        try (MeteredKeyManagementService metered = new MeteredKeyManagementService(ticking, nanos::get)) {
            metered.createKey("k1");
            metered.generateDataKey("k1").close();
            metered.generateDataKey("k1").close();
            assertThatThrownBy(() -> metered.generateDataKey("missing")).isInstanceOf(KeyNotFoundException.class);
            assertThatThrownBy(() -> metered.generateDataKey("down")).isInstanceOf(KmsUnavailableException.class);

            final OperationMetrics generate = metered.snapshot().get(KmsOperation.GENERATE_DATA_KEY);
            assertThat(generate.calls()).isEqualTo(4);
            assertThat(generate.successes()).isEqualTo(2);
            assertThat(generate.permanentFailures()).isEqualTo(1);
            assertThat(generate.transientFailures()).isEqualTo(1);
            assertThat(generate.totalNanos()).isEqualTo(12_000_000);
            assertThat(generate.maxNanos()).isEqualTo(3_000_000);
            assertThat(generate.histogram()).hasSize(MeteredKeyManagementService.BUCKET_UPPER_BOUNDS.size() + 1);
            assertThat(generate.histogram().get(1)).as("1 ms < 3 ms <= 5 ms").isEqualTo(4);
            assertThat(metered.snapshot().get(KmsOperation.CREATE_KEY).calls()).isEqualTo(1);
            assertThat(metered.snapshot().get(KmsOperation.UNWRAP).calls()).isZero();
            assertThat(metered.snapshot().totalCalls()).isEqualTo(5);
        }
    }
}
