package io.sealstream.keys;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Records every data key it generates in the {@link DekRegistry} before handing it out, so no object can ever be
 * written with a DEK the registry does not know. If the registry cannot be written the key is destroyed and the
 * call fails as "KMS unavailable" (the pipeline then waits and retries: back-pressure, not loss).
 */
public final class RegisteringKeyManagementService implements KeyManagementServiceDecorator {

    private final KeyManagementService delegate;
    private final DekRegistry registry;
    private final String service;
    private final Clock clock;

    public RegisteringKeyManagementService(final KeyManagementService delegate, final DekRegistry registry,
                                           final String service, final Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
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
    public DataKey generateDataKey(final String kekId) {
        final DataKey key = delegate.generateDataKey(kekId);
        try {
            registry.registerCreated(key.wrapped(), clock.instant(), service);
            return key;
        } catch (final RuntimeException e) {
            key.close();
            throw new KmsUnavailableException("cannot record new data key " + key.dekId()
                    + " in the DEK registry: " + e.getMessage(), e);
        }
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
}
