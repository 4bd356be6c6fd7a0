package io.sealstream.objects;

import io.sealstream.envelope.DataKeyResolver;
import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryptor;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.envelope.EnvelopeHeader;
import io.sealstream.envelope.MalformedEnvelopeException;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.store.NonClosingOutputStream;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The one home of "an encrypted object in a store": how sealstream writes one (envelope bytes bound to the object's
 * identity, plus the {@link ObjectMetadata} beside them), describes one already there, re-encrypts one under another
 * data key, and opens one for reading. The encrypt path, the shredder, the re-wrap jobs and the audited reader all go
 * through it, so the object format and its metadata are decided here only.
 *
 * <p>Fail-closed: plaintext only ever reaches the store through an {@link EncryptingOutputStream}, and a write whose
 * plaintext source fails aborts the envelope, so the store commits nothing (a multipart upload is aborted, a file is
 * not renamed into place).
 */
public final class EncryptedObjectStore {

    /** The format version written in {@link ObjectMetadata#FORMAT_VERSION}. */
    public static final int FORMAT_VERSION = 1;

    /** A GCM tag per segment (FORMAT.md). */
    private static final int TAG_BYTES = 16;
    /** More than any header holds (the wrapped key of the largest provider plus a stored context). */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private final ObjectStore store;

    public EncryptedObjectStore(final ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The store underneath, for the plaintext side (staging objects) and listings. */
    public ObjectStore store() {
        return store;
    }

    /** Writes the plaintext that {@code body} produces; the stream it gets encrypts and must not be closed by it. */
    @FunctionalInterface
    public interface PlaintextWriter {
        void writeTo(OutputStream plaintext) throws IOException;
    }

    /** What a write stored, or what the metadata and bytes of an object already there say. */
    public record Written(long plaintextBytes, long ciphertextBytes, byte[] ciphertextDigest, String dekId, KekRef kek,
                          int formatVersion, int segmentSize) {
    }

    /**
     * Encrypts what {@code body} writes under {@code dek}, bound to {@code identity}, into {@code destination}, with
     * the metadata that names the key and {@code eventId}. {@code encrypted} learns how many plaintext bytes were
     * encrypted under the key even when the write fails (a data key's byte limit counts failed attempts too).
     */
    public Written write(final ObjectLocation destination, final ObjectIdentity identity, final DataKey dek,
                         final Preset preset, final String eventId, final long plaintextSize,
                         final PlaintextWriter body, final LongConsumer encrypted) throws IOException {
        return write(destination, identity, dek, preset, eventId, plaintextSize, null, null, body, encrypted);
    }

    /**
     * As above, with the upload's content type and declared plaintext checksum kept in the metadata (for readers
     * such as the S3 gateway). The checksum is the caller's to verify while {@code body} writes: a mismatch must
     * fail the write, so no object stands with a checksum its plaintext does not have.
     */
    public Written write(final ObjectLocation destination, final ObjectIdentity identity, final DataKey dek,
                         final Preset preset, final String eventId, final long plaintextSize, final String contentType,
                         final io.sealstream.events.PlaintextChecksum checksum, final PlaintextWriter body,
                         final LongConsumer encrypted) throws IOException {
        final WrappedDataKey wrapped = dek.wrapped();
        return write(destination, identity, dek, preset, ObjectMetadata.of(FORMAT_VERSION, wrapped, eventId,
                plaintextSize, preset.segmentSize(), contentType, checksum), body, encrypted);
    }

    private Written write(final ObjectLocation destination, final ObjectIdentity identity, final DataKey dek,
                          final Preset preset, final Map<String, String> metadata, final PlaintextWriter body,
                          final LongConsumer encrypted) throws IOException {
        final EncryptingOutputStream[] written = new EncryptingOutputStream[1];
        try {
            store.put(destination, metadata, out -> {
                final EncryptingOutputStream sealed = new EnvelopeEncryptor(preset, false)
                        .encryptingStream(new NonClosingOutputStream(out), dek, identity.encryptionContext());
                written[0] = sealed;
                try {
                    body.writeTo(sealed);
                } catch (final IOException | RuntimeException e) {
                    sealed.abort();
                    throw e;
                }
                sealed.close();
            });
        } finally {
            if (written[0] != null && encrypted != null) {
                encrypted.accept(written[0].plaintextBytes());
            }
        }
        final EncryptingOutputStream sealed = written[0];
        final WrappedDataKey wrapped = dek.wrapped();
        return new Written(sealed.plaintextBytes(), sealed.ciphertextBytes(), sealed.ciphertextDigest(),
                wrapped.dekId(), wrapped.kek(), FORMAT_VERSION, preset.segmentSize());
    }

    /**
     * The object an earlier attempt at event {@code eventId} wrote to {@code destination}, if it is there and complete:
     * its metadata names the event, and its digest is recomputed from the stored bytes (no key needed), so what it
     * says matches what is really stored. Empty if there is no object, another event's object, or a broken one.
     */
    public Optional<Written> writtenBy(final ObjectLocation destination, final String eventId) throws IOException {
        final Optional<StoredObject> head = store.head(destination);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        final Optional<ObjectMetadata.Parsed> meta = ObjectMetadata.parse(head.get().metadata());
        if (meta.isEmpty() || !meta.get().eventId().equals(eventId)) {
            return Optional.empty();
        }
        final ObjectMetadata.Parsed m = meta.get();
        final byte[] digest;
        try (InputStream in = new BufferedInputStream(store.get(destination))) {
            in.mark(MAX_HEADER_BYTES);
            final EnvelopeHeader header = EnvelopeDecryptor.readHeader(in);
            in.reset();
            // The digest covers the header and the tags only: a last segment cut short is caught by the size.
            if (head.get().size() != expectedCiphertextSize(header, m.plaintextSize())) {
                return Optional.empty();
            }
            digest = EnvelopeDecryptor.ciphertextDigest(in);
        } catch (final ObjectNotFoundException | EnvelopeException notComplete) {
            return Optional.empty();
        }
        return Optional.of(new Written(m.plaintextSize(), head.get().size(), digest, m.dekId(), m.kek(),
                m.formatVersion(), m.segmentSize()));
    }

    /** The size of a complete envelope of {@code plaintextSize} bytes (FORMAT.md, "Segments"). */
    static long expectedCiphertextSize(final EnvelopeHeader header, final long plaintextSize) {
        final long segments = Math.max(1, (plaintextSize + header.segmentSize() - 1) / header.segmentSize());
        return header.length() + plaintextSize + segments * TAG_BYTES;
    }

    /**
     * The id of the data key {@code location} is encrypted under: from its metadata, else from its envelope header.
     * Empty if there is no such object or it is not an envelope.
     */
    public Optional<String> dekIdOf(final ObjectLocation location) throws IOException {
        final Optional<StoredObject> head = store.head(location);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        final String fromMetadata = head.get().metadata().get(ObjectMetadata.DEK_ID);
        if (fromMetadata != null) {
            return Optional.of(fromMetadata);
        }
        return headerKeyOf(location).map(WrappedDataKey::dekId);
    }

    /** The wrapped data key in the envelope header of {@code location}; empty if it is gone or not an envelope. */
    public Optional<WrappedDataKey> headerKeyOf(final ObjectLocation location) throws IOException {
        try (InputStream in = store.get(location)) {
            return Optional.of(EnvelopeDecryptor.readHeader(in).wrappedDataKey());
        } catch (final MalformedEnvelopeException | ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens {@code location} for reading as {@code identity}: the header is authenticated before this returns, and
     * every segment before its bytes are released. The caller closes the stream.
     */
    public DecryptingInputStream open(final ObjectLocation location, final ObjectIdentity identity,
                                      final DataKeyResolver keys) throws IOException {
        final InputStream source = store.get(location);
        try {
            return new EnvelopeDecryptor(keys).decryptingStream(source, identity.encryptionContext());
        } catch (final IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * Re-encrypts the object at {@code location} (a destination object, whose key says its identity) in place under
     * {@code fresh}, streaming, keeping its segment size and other metadata. Refuses if the object is no longer under
     * {@code expectedDekId} or was replaced (another event id) while it was read: the store has no conditional write,
     * so this narrows, and does not close, the window in which a newer upload of the same key is overwritten.
     *
     * @return what was written
     */
    public Written reencrypt(final ObjectLocation location, final DataKeyResolver keys, final String expectedDekId,
                             final DataKey fresh) throws IOException {
        final ObjectIdentity identity = ObjectIdentity.ofDestination(location).orElseThrow(() ->
                new IllegalStateException("cannot tell the encryption context of " + location + " from its key"));
        final StoredObject before = store.head(location).orElseThrow(() -> new IOException(location + " disappeared"));
        try (DecryptingInputStream plain = open(location, identity, keys); DataKey dek = fresh.copy()) {
            requireUnchanged(location, before, expectedDekId);
            final Preset preset = presetFor(plain.header().segmentSize());
            final Map<String, String> metadata = new LinkedHashMap<>(before.metadata());
            final WrappedDataKey wrapped = dek.wrapped();
            metadata.put(ObjectMetadata.DEK_ID, wrapped.dekId());
            metadata.put(ObjectMetadata.KEK_PROVIDER, wrapped.kek().provider());
            metadata.put(ObjectMetadata.KEK_ID, wrapped.kek().keyId());
            metadata.put(ObjectMetadata.KEK_VERSION, wrapped.kek().version());
            return write(location, identity, dek, preset, metadata, plain::transferTo, null);
        }
    }

    /** The object keeps its segment size. */
    private static Preset presetFor(final int segmentSize) {
        for (final Preset preset : Preset.values()) {
            if (preset.segmentSize() == segmentSize) {
                return preset;
            }
        }
        return Preset.DEFAULT;
    }

    private void requireUnchanged(final ObjectLocation location, final StoredObject before, final String expectedDekId)
            throws IOException {
        final Optional<StoredObject> now = store.head(location);
        if (now.isEmpty() || !expectedDekId.equals(now.get().metadata().get(ObjectMetadata.DEK_ID))
                || !Objects.equals(before.metadata().get(ObjectMetadata.EVENT_ID),
                        now.get().metadata().get(ObjectMetadata.EVENT_ID))) {
            throw new IllegalStateException(location + " changed while its key was being replaced; run the shred again");
        }
    }
}
