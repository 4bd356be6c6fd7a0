package io.sealstream.keys;

import io.sealstream.envelope.DataKeyResolver;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
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
 */
public final class RegistryDataKeyResolver implements DataKeyResolver {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryDataKeyResolver.class);

    /** Where the resolved key came from. */
    public enum Source { REGISTRY, HEADER }

    private final DekRegistry registry;
    private final KeyManagementService kms;
    private final boolean strict;
    private volatile Source lastSource;
    private volatile WrappedDataKey lastUnwrapped;
    private volatile WrappedDataKey lastRequested;

    public RegistryDataKeyResolver(final DekRegistry registry, final KeyManagementService kms, final boolean strict) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.kms = Objects.requireNonNull(kms, "kms");
        this.strict = strict;
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
            final WrappedDataKey current = DekRecords.wrapped(found);
            lastSource = Source.REGISTRY;
            lastUnwrapped = current;
            return kms.unwrap(current);
        }
        if (strict) {
            throw new io.sealstream.kms.KeyNotFoundException("data key " + fromHeader.dekId()
                    + " is not in the DEK registry (strict mode refuses the header's copy)");
        }
        LOG.warn("data key {} is not in the DEK registry; unwrapping the object header's copy under {}",
                fromHeader.dekId(), fromHeader.kek());
        lastSource = Source.HEADER;
        lastUnwrapped = fromHeader;
        return kms.unwrap(fromHeader);
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
