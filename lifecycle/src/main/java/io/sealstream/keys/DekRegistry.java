package io.sealstream.keys;

import io.sealstream.events.DataKeyRecord;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The DEK registry: one entry per data key the pipeline ever created, with the DEK wrapped under the newest KEK
 * version it was moved to. Readers unwrap through it, so re-wrapping never rewrites objects
 * (docs/ARCHITECTURE.md, "Key lifecycle").
 *
 * <p>Writers: the pipeline registers a DEK before the first object uses it and marks it retired when it stops
 * using it; re-wrap jobs and shredding replace entries through a {@link KeyAdminLog} transaction. Retirement is
 * stored apart from the entry, so a late retirement can never undo a re-wrap.
 */
public interface DekRegistry extends AutoCloseable {

    /** Records a DEK just created. Durable when this returns; throws if it could not be recorded. */
    void registerCreated(WrappedDataKey key, Instant createdAt, String service);

    /** Records that the pipeline no longer encrypts with the DEK. Best effort: a lost marker changes no key. */
    void markRetired(String dekId, KekRef createdKek, Instant retiredAt, String service);

    /** Catches up with everything written before this call (by anyone). */
    void refresh();

    /** The entry as of the last {@link #refresh()} (or registration in this process), retirement merged in. */
    Optional<DataKeyRecord> find(String dekId);

    /** All entries as of the last {@link #refresh()}, sorted by DEK id. */
    List<DataKeyRecord> entries();

    @Override
    void close();
}
