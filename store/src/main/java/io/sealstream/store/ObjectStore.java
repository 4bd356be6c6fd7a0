package io.sealstream.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * An S3-like object store: S3 itself or any S3-compatible server ({@code S3ObjectStore}), or a directory
 * ({@code FilesystemObjectStore}, the embedded default).
 *
 * <p>Failures: {@link ObjectNotFoundException} when an object does not exist (permanent for that object);
 * {@link ObjectStoreUnavailableException} when the store cannot be reached or asks to slow down (retry later);
 * other {@link IOException}s for everything else. Metadata keys are lower case ({@code [a-z0-9-]}); values are
 * printable ASCII. Metadata never carries a secret.
 *
 * <p>Both implementations enforce the metadata rules the same way (values also without leading or trailing spaces,
 * which HTTP would trim, and keys plus values at most 2 KiB, S3's limit), and a location the store cannot represent
 * (for the filesystem store: {@code ..}, empty segments, NUL, backslash): {@link #put}, {@link #head}, {@link #get}
 * and {@link #delete} throw {@link IllegalArgumentException} for those before any I/O.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Streams an object into the store. Memory stays bounded whatever the size (multipart above a threshold).
     * The object becomes visible only complete and all at once; a failed or aborted write leaves nothing behind
     * and does not disturb an existing object at the same location. A second put to the same location replaces
     * the object.
     *
     * @throws IOException as thrown by {@code writer} (unchanged), or the store's own failure
     */
    StoredObject put(ObjectLocation location, Map<String, String> metadata, ObjectContentWriter writer)
            throws IOException;

    /** The object's size and metadata, or empty if there is none. */
    Optional<StoredObject> head(ObjectLocation location) throws IOException;

    /** Opens the object for streaming reading. */
    InputStream get(ObjectLocation location) throws IOException;

    /**
     * Opens {@code length} bytes of the object from {@code offset} (an S3 ranged GET), so a reader of a large
     * object's tail does not fetch the rest. A range past the end is cut at the end; the caller, who asked for it
     * from a size it knew, treats fewer bytes as a truncation. The default reads and skips (for stores that cannot
     * seek); the real stores fetch only the range.
     */
    default InputStream get(final ObjectLocation location, final long offset, final long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range");
        }
        final InputStream in = get(location);
        in.skipNBytes(offset);
        return new BoundedInputStream(in, length);
    }

    /** An open read of an object, or of a range of it, with what the store says of the whole object. */
    record ObjectRead(StoredObject object, InputStream content) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    /**
     * Opens the object from {@code offset}, {@code length} bytes or (length -1) to its end, and tells its size and
     * metadata, in one request where the store can (S3: one GET instead of a HEAD and a GET). The default asks
     * {@link #head} and then {@link #get(ObjectLocation, long, long)}.
     *
     * @throws ObjectNotFoundException when there is no such object
     */
    default ObjectRead read(final ObjectLocation location, final long offset, final long length) throws IOException {
        final StoredObject object = head(location).orElseThrow(() -> new ObjectNotFoundException(location));
        final long end = length < 0 ? object.size() : Math.min(object.size(), offset + length);
        return new ObjectRead(object, get(location, offset, Math.max(0, end - offset)));
    }

    /**
     * Sets the object's tags (S3 object tagging, which lifecycle rules can match), replacing any it had. Stores
     * without tags throw {@link UnsupportedOperationException}.
     */
    default void tag(final ObjectLocation location, final Map<String, String> tags) throws IOException {
        throw new UnsupportedOperationException(describe() + " cannot tag objects");
    }

    /** Deletes the object; deleting one that does not exist is not an error. */
    void delete(ObjectLocation location) throws IOException;

    /**
     * Up to {@code max} keys of {@code bucket} that start with {@code prefix} and sort after {@code startAfter}
     * (null = from the start), in ascending UTF-8 binary order (S3's order), so a caller can resume a scan from the
     * last key it finished. An absent bucket lists nothing.
     */
    java.util.List<String> list(String bucket, String prefix, String startAfter, int max) throws IOException;

    /** For logs and errors: the kind of store and where it is, never a credential. */
    String describe();

    @Override
    void close();
}
