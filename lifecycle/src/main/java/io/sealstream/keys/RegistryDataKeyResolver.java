package io.sealstream.keys;

import io.sealstream.envelope.DataKeyResolver;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.WrappedDataKey;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves an object's data key through the DEK registry: the registry's entry (wrapped under the newest KEK version
 * it was moved to) is unwrapped, not the copy in the object's header. A shredded DEK is refused.
 *
 * <p>A DEK the registry does not know (objects written before the registry existed, or a registry lost) falls back to
 * the header's copy, which works as long as the KEK version that wrapped it still exists, unless the resolver is
 * strict. Which path was taken is reported through {@link #lastSource()} for the audit event.
 *
 * <p>Tenant binding: the wrapped key arrives with the scope the reader expects (the decryptor sets it from the identity
 * it reads as, {@link io.sealstream.envelope.EncryptionContext#keyScope()}). A registry entry recorded for another
 * scope, or under another KEK than the key policy gives that identity, is refused with
 * {@link KeyScopeMismatchException} before the KMS is asked; the KMS then unwraps only a key wrapped for that scope.
 */
public final class RegistryDataKeyResolver implements DataKeyResolver {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryDataKeyResolver.class);

    /** Where the resolved key came from. */
    public enum Source { REGISTRY, HEADER }

    private final DekRegistry registry;
    private final KeyManagementService kms;
    private final boolean strict;
    private final String expectedKekId;
    private volatile Source lastSource;
    private volatile WrappedDataKey lastUnwrapped;
    private volatile WrappedDataKey lastRequested;

    /**
     * @param expectedKekId the KEK id the key policy gives the identity being read; null to accept the KEK the DEK's
     *                      entry names (tools that act on one known DEK, such as shredding)
     */
    public RegistryDataKeyResolver(final DekRegistry registry, final KeyManagementService kms, final boolean strict,
                                   final String expectedKekId) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.kms = Objects.requireNonNull(kms, "kms");
        this.strict = strict;
        this.expectedKekId = expectedKekId;
    }

    @Override
    public DataKey resolve(final WrappedDataKey fromHeader) {
        lastRequested = fromHeader;
        final Optional<DataKeyRecord> entry = registry.find(fromHeader.dekId());
        if (entry.isPresent()) {
            final DataKeyRecord found = entry.get();
            if (DekRecords.isShredded(found)) {
                throw new KeyShreddedException("data key " + found.getDekId() + " was shredded at " + found.getShreddedAt()
                        + "; the object can no longer be decrypted");
            }
            final KeyScope recorded = DekRecords.scope(found);
            if (!recorded.equals(fromHeader.scope())) {
                throw new KeyScopeMismatchException("data key " + found.getDekId() + " belongs to "
                        + describe(recorded) + ", not to " + describe(fromHeader.scope())
                        + "; the object is not this tenant's");
            }
            requirePolicyKek(found.getCreatedKek().getKeyId(), found.getDekId());
            final WrappedDataKey current = DekRecords.wrapped(found);
            lastSource = Source.REGISTRY;
            lastUnwrapped = current;
            return kms.unwrap(current);
        }
        if (strict) {
            throw new io.sealstream.kms.KeyNotFoundException("data key " + fromHeader.dekId()
                    + " is not in the DEK registry (strict mode refuses the header's copy)");
        }
        requirePolicyKek(fromHeader.kek().keyId(), fromHeader.dekId());
        LOG.warn("data key {} is not in the DEK registry; unwrapping the object header's copy under {} (unsafe)",
                fromHeader.dekId(), fromHeader.kek());
        lastSource = Source.HEADER;
        lastUnwrapped = fromHeader;
        return kms.unwrap(fromHeader);
    }

    private void requirePolicyKek(final String kekId, final String dekId) {
        if (expectedKekId != null && !expectedKekId.equals(kekId)) {
            throw new KeyScopeMismatchException("data key " + dekId + " is under KEK '" + kekId
                    + "', but the key policy gives this object KEK '" + expectedKekId + "'");
        }
    }

    private static String describe(final KeyScope scope) {
        return scope.isScoped() ? "tenant '" + scope.tenant() + "' bucket '" + scope.bucket() + "'" : "no tenant";
    }

    /** Where the last resolved key came from, or null before any. */
    public Source lastSource() {
        return lastSource;
    }

    /** The header's wrapped key of the last resolution asked for, whether or not it succeeded (or null before any). */
    public WrappedDataKey lastRequested() {
        return lastRequested;
    }

    /** The wrapped form the last resolution unwrapped (its KEK version is what the audit event names). */
    public WrappedDataKey lastUnwrapped() {
        return lastUnwrapped;
    }
}
