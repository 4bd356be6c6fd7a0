package io.sealstream.kms;

import java.util.List;
import java.util.Objects;

/**
 * A decorator that forwards every call unchanged; subclasses override the calls they add behaviour to (e.g. recording
 * new data keys in a registry). Decorators that wrap every call (retries, metrics) implement
 * {@link KeyManagementServiceDecorator} directly instead.
 */
public abstract class ForwardingKeyManagementService implements KeyManagementServiceDecorator {

    private final KeyManagementService delegate;

    protected ForwardingKeyManagementService(final KeyManagementService delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
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
        return delegate.generateDataKey(kekId, scope);
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        return delegate.unwrap(wrapped);
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return delegate.rewrap(wrapped);
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        return delegate.describeKey(kekId);
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        return delegate.createKey(kekId);
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        return delegate.rotateKey(kekId);
    }

    @Override
    public List<KeyDescription> listKeys() {
        return delegate.listKeys();
    }

    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        delegate.destroyKeyVersion(kekId, version);
    }

    @Override
    public void destroyKey(final String kekId) {
        delegate.destroyKey(kekId);
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        delegate.reportUsage(key, plaintextBytes);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
