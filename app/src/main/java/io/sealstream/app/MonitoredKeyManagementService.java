package io.sealstream.app;
import io.sealstream.health.DependencyHealth;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.text.BoundedText;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A KMS whose calls report to a {@link DependencyHealth}. Placed right around the provider (under the cache, the
 * registry and the retries), so it sees each real KMS request: a transient {@link KmsException} is a failure, any other
 * answer (a key not found, a refusal) shows the KMS is there.
 */
public final class MonitoredKeyManagementService implements KeyManagementServiceDecorator {

    private final KeyManagementService delegate;
    private final DependencyHealth health;

    public MonitoredKeyManagementService(final KeyManagementService delegate, final DependencyHealth health) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.health = Objects.requireNonNull(health, "health");
    }

    @Override
    public KeyManagementService delegate() {
        return delegate;
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        return watch(() -> delegate.generateDataKey(kekId, scope));
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        return watch(() -> delegate.unwrap(wrapped));
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return watch(() -> delegate.rewrap(wrapped));
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        return watch(() -> delegate.describeKey(kekId));
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        return watch(() -> delegate.createKey(kekId));
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        return watch(() -> delegate.rotateKey(kekId));
    }

    @Override
    public List<KeyDescription> listKeys() {
        return watch(delegate::listKeys);
    }

    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        watch(() -> {
            delegate.destroyKeyVersion(kekId, version);
            return null;
        });
    }

    @Override
    public void destroyKey(final String kekId) {
        watch(() -> {
            delegate.destroyKey(kekId);
            return null;
        });
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        delegate.reportUsage(key, plaintextBytes);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T watch(final Supplier<T> work) {
        final DependencyHealth.Call call = health.begin();
        try {
            final T result = work.get();
            call.succeeded();
            return result;
        } catch (final KmsException e) {
            if (e.isTransient()) {
                call.failed(BoundedText.message(e));
            } else {
                call.succeeded();
            }
            throw e;
        } finally {
            call.close();
        }
    }
}
