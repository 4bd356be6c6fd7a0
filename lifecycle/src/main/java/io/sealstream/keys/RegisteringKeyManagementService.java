package io.sealstream.keys;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.ForwardingKeyManagementService;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsUnavailableException;
import java.time.Clock;
import java.util.Objects;

/**
 * Records every data key it generates in the {@link DekRegistry} before handing it out, so no object can ever be
 * written with a DEK the registry does not know. If the registry cannot be written the key is destroyed and the
 * call fails as "KMS unavailable" (the pipeline then waits and retries: back-pressure, not loss).
 */
public final class RegisteringKeyManagementService extends ForwardingKeyManagementService {

    private final DekRegistry registry;
    private final String service;
    private final Clock clock;

    public RegisteringKeyManagementService(final KeyManagementService delegate, final DekRegistry registry,
                                           final String service, final Clock clock) {
        super(delegate);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        final DataKey key = super.generateDataKey(kekId, scope);
        try {
            registry.registerCreated(key.wrapped(), clock.instant(), service);
            return key;
        } catch (final RuntimeException e) {
            key.close();
            throw new KmsUnavailableException("cannot record new data key " + key.dekId()
                    + " in the DEK registry: " + e.getMessage(), e);
        }
    }
}
