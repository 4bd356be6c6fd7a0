package io.sealstream.store;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default store: object {@code s3://bucket/a/b/c} is the file {@code root/bucket/a/b/c}. Buckets are
 * directories, created on the first put; keys containing {@code /} make subdirectories.
 *
 * <h2>On-disk format: one file per object, metadata first</h2>
 * Each object file holds a small header followed by the content:
 * <pre>
 *   8 bytes   magic "SSOBJ\0\0\1"
 *   4 bytes   n, big-endian: length of the metadata block
 *   n bytes   metadata block: entry count (int), then per entry key and value (DataOutput.writeUTF; ASCII)
 *   ...       the object's content, byte for byte
 * </pre>
 * Metadata and content therefore live in one file that is written as a whole into a temporary file in the same
 * directory, forced to disk, and renamed over the object's name. A rename is atomic, so a reader (and a crash)
 * sees either the previous file or the new one, never a mix: an object can never be paired with another upload's
 * metadata, which a sidecar file committed by a second rename could not promise without a recovery protocol. The
 * price is that object files are not the raw content: read them through this class.
 *
 * <h2>Temporary files</h2>
 * In-progress puts live beside their target as {@code .sealstream-tmp-<random>}; path segments starting with
 * {@code .sealstream-} are reserved (keys using them are rejected), so head and get never see a temporary file.
 * A failed put deletes its temporary file; a crash can leave one behind, which is harmless and can be deleted.
 *
 * <h2>Limits</h2>
 * Keys are checked so that they cannot leave the root: no empty, {@code .} or {@code ..} segments (so no leading,
 * trailing or doubled {@code /}), no NUL or backslash. A key cannot be both an object and a prefix of other keys
 * ({@code a} and {@code a/b}), which S3 allows and a file system does not: the second put fails with an
 * IOException saying so. Empty directories left by deletes are not removed (a concurrent put may be using them).
 * Symbolic links placed inside the root by someone else are not defended against.
 */
public final class FilesystemObjectStore implements ObjectStore {

    private static final Logger LOG = LoggerFactory.getLogger(FilesystemObjectStore.class);

    static final String RESERVED_PREFIX = ".sealstream-";
    static final String TEMP_PREFIX = RESERVED_PREFIX + "tmp-";
    private static final byte[] MAGIC = {'S', 'S', 'O', 'B', 'J', 0, 0, 1};
    private static final int FIXED_HEADER = MAGIC.length + Integer.BYTES;
    private static final int MAX_METADATA_BLOCK = 64 * 1024;
    private static final int WRITE_BUFFER = 64 * 1024;
    private static final SecureRandom NAMES = new SecureRandom();

    private final Path root;

    public FilesystemObjectStore(final FilesystemStoreConfig config) {
        this.root = Objects.requireNonNull(config, "config").root();
    }

    public FilesystemObjectStore(final Path root) {
        this(new FilesystemStoreConfig(root));
    }

    public Path root() {
        return root;
    }

    @Override
    public StoredObject put(final ObjectLocation location, final Map<String, String> metadata,
            final ObjectContentWriter writer) throws IOException {
        Objects.requireNonNull(writer, "writer");
        final Map<String, String> meta = StoreSupport.checkedMetadata(metadata);
        final Path target = resolve(location);
        final Path directory = target.getParent();
        createDirectories(location, directory);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot store " + location + " in the filesystem store: other keys exist below "
                    + location + "/, and a file system cannot hold a name as both a file and a directory");
        }
        final Path temp = directory.resolve(TEMP_PREFIX + HexFormat.of().formatHex(randomBytes()));
        final FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        final long size;
        try {
            final OutputStream file = new BufferedOutputStream(Channels.newOutputStream(channel), WRITE_BUFFER);
            file.write(header(meta));
            final StoreSupport.WriterStream content = new StoreSupport.WriterStream(file);
            try {
                writer.writeTo(content);
            } finally {
                content.close();
            }
            content.checkNoWriteFailed();
            size = content.count();
            file.flush();
            channel.force(true); // the rename must not become durable before the contents
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (final AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + directory + " cannot rename atomically", e);
            }
        } catch (final Throwable failure) {
            // The writer's own exception goes back unchanged (no suppressed additions): cleanup trouble is logged.
            closeQuietly(channel);
            deleteQuietly(temp);
            throw failure;
        }
        syncDirectory(directory);
        return new StoredObject(location, size, meta);
    }

    @Override
    public Optional<StoredObject> head(final ObjectLocation location) throws IOException {
        final Path file = resolve(location);
        try (FileChannel channel = openObject(file)) {
            if (channel == null) {
                return Optional.empty();
            }
            final Header header = readHeader(channel, location);
            return Optional.of(new StoredObject(location, channel.size() - header.length(), header.metadata(),
                    java.nio.file.Files.getLastModifiedTime(file).toInstant()));
        }
    }

    @Override
    public InputStream get(final ObjectLocation location) throws IOException {
        final Path file = resolve(location);
        final FileChannel channel = openObject(file);
        if (channel == null) {
            throw new ObjectNotFoundException(location);
        }
        try {
            readHeader(channel, location); // leaves the channel positioned at the content
            // The open channel keeps this version even if a put replaces or a delete removes the name meanwhile.
            return Channels.newInputStream(channel);
        } catch (final IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public InputStream get(final ObjectLocation location, final long offset, final long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range");
        }
        final Path file = resolve(location);
        final FileChannel channel = openObject(file);
        if (channel == null) {
            throw new ObjectNotFoundException(location);
        }
        try {
            readHeader(channel, location);
            channel.position(channel.position() + offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (final IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void delete(final ObjectLocation location) throws IOException {
        final Path file = resolve(location);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return; // only a prefix of other keys: no object by that name
        }
        try {
            Files.deleteIfExists(file);
        } catch (final NotDirectoryException e) {
            // a parent segment is an object: nothing by this name
        } catch (final FileSystemException e) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
    }

    /**
     * Walks {@code root/bucket} and sorts the keys by their UTF-8 bytes (S3's order). Costs a walk of the bucket per
     * call: fine for the embedded store's sizes, not meant for millions of objects.
     */
    @Override
    public java.util.List<String> list(final String bucket, final String prefix, final String startAfter, final int max)
            throws IOException {
        final Path bucketDir = root.resolve(segment(new ObjectLocation(bucket, "x"), bucket, "bucket"));
        if (!Files.isDirectory(bucketDir)) {
            return java.util.List.of();
        }
        final java.util.Comparator<String> utf8 = (a, b) -> java.util.Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final java.util.TreeSet<String> keys = new java.util.TreeSet<>(utf8);
        try (java.util.stream.Stream<Path> files = Files.walk(bucketDir)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                final Path relative = bucketDir.relativize(file);
                if (relative.getFileName().toString().startsWith(RESERVED_PREFIX)) {
                    return; // temporary files of writes in progress
                }
                final String key = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
                if (key.startsWith(prefix) && (startAfter == null || utf8.compare(key, startAfter) > 0)) {
                    keys.add(key);
                    if (keys.size() > max) {
                        keys.pollLast();
                    }
                }
            });
        }
        return new java.util.ArrayList<>(keys);
    }

    @Override
    public String describe() {
        return "filesystem store at " + root;
    }

    @Override
    public void close() {
        // nothing held open
    }

    /**
     * The file of an object, or IllegalArgumentException if the bucket or key could name anything outside
     * {@code root/bucket} (or a reserved temporary name).
     */
    Path resolve(final ObjectLocation location) {
        Objects.requireNonNull(location, "location");
        final Path bucketDir = root.resolve(segment(location, location.bucket(), "bucket"));
        Path file = bucketDir;
        int start = 0;
        final String key = location.key();
        while (true) {
            final int slash = key.indexOf('/', start);
            final String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            file = file.resolve(segment(location, segment, "key"));
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        if (!file.normalize().startsWith(bucketDir) || file.equals(bucketDir)) {
            throw rejected(location, "it would resolve outside its bucket directory");
        }
        return file;
    }

    private Path segment(final ObjectLocation location, final String segment, final String what) {
        if (segment.isEmpty()) {
            throw rejected(location, what + " has an empty path segment (a leading, trailing or doubled '/')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw rejected(location, what + " has a '" + segment + "' path segment");
        }
        if (segment.indexOf('\0') >= 0 || segment.indexOf('\\') >= 0) {
            throw rejected(location, what + " contains a NUL or backslash character");
        }
        if (segment.startsWith(RESERVED_PREFIX)) {
            throw rejected(location, what + " has a path segment starting with the reserved " + RESERVED_PREFIX);
        }
        final Path p;
        try {
            p = root.getFileSystem().getPath(segment);
        } catch (final InvalidPathException e) {
            throw rejected(location, what + " is not a valid file name here: " + StoreSupport.oneLine(e.getReason()));
        }
        if (p.isAbsolute() || p.getRoot() != null || p.getNameCount() != 1 || !segment.equals(p.toString())) {
            throw rejected(location, what + " segment is not a plain file name");
        }
        return p;
    }

    private static IllegalArgumentException rejected(final ObjectLocation location, final String why) {
        return new IllegalArgumentException("object location rejected by the filesystem store: "
                + StoreSupport.printable(location.toUri()) + ": " + why);
    }

    private void createDirectories(final ObjectLocation location, final Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            Files.createDirectories(directory);
            // New directories must survive a crash too: sync each one's entry in its parent, up to the root's parent.
            for (Path p = directory; p != null && !p.equals(root.getParent()); p = p.getParent()) {
                if (p.getParent() != null) {
                    syncDirectory(p.getParent());
                }
            }
        } catch (final FileAlreadyExistsException | NotDirectoryException e) {
            throw new IOException("cannot store " + location + " in the filesystem store: a prefix of its key is "
                    + "an object, and a file system cannot hold a name as both a file and a directory", e);
        } catch (final FileSystemException e) {
            if (!Files.isDirectory(directory) && hasFileAncestor(directory)) {
                throw new IOException("cannot store " + location + " in the filesystem store: a prefix of its key "
                        + "is an object, and a file system cannot hold a name as both a file and a directory", e);
            }
            throw e;
        }
    }

    private static boolean hasFileAncestor(final Path directory) {
        for (Path p = directory; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /** Opens an object file for reading, or null if there is no object by that name. */
    private static FileChannel openObject(final Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null; // absent, a directory (a prefix of other keys), or below an object
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (final NoSuchFileException e) {
            return null; // deleted meanwhile
        }
    }

    static byte[] header(final Map<String, String> metadata) throws IOException {
        final ByteArrayOutputStream block = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(block)) {
            out.writeInt(metadata.size());
            for (final Map.Entry<String, String> e : metadata.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        }
        final ByteBuffer header = ByteBuffer.allocate(FIXED_HEADER + block.size());
        header.put(MAGIC).putInt(block.size()).put(block.toByteArray());
        return header.array();
    }

    record Header(long length, Map<String, String> metadata) {
    }

    /** Reads and checks the header from the start of the channel and leaves it positioned at the content. */
    private static Header readHeader(final FileChannel channel, final ObjectLocation location) throws IOException {
        final ByteBuffer fixed = ByteBuffer.allocate(FIXED_HEADER);
        readFully(channel, fixed, location);
        final byte[] magic = new byte[MAGIC.length];
        fixed.flip().get(magic);
        final int blockLength = fixed.getInt();
        if (!Arrays.equals(magic, MAGIC) || blockLength < Integer.BYTES || blockLength > MAX_METADATA_BLOCK) {
            throw corrupt(location, "bad header");
        }
        final ByteBuffer block = ByteBuffer.allocate(blockLength);
        readFully(channel, block, location);
        final Map<String, String> metadata = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(block.array()))) {
            final int count = in.readInt();
            for (int i = 0; i < count; i++) {
                metadata.put(in.readUTF(), in.readUTF());
            }
            if (in.available() != 0) {
                throw corrupt(location, "bad metadata block");
            }
        } catch (final java.io.EOFException | java.io.UTFDataFormatException e) {
            throw corrupt(location, "bad metadata block");
        }
        return new Header(FIXED_HEADER + (long) blockLength, metadata);
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final ObjectLocation location)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw corrupt(location, "truncated header");
            }
        }
    }

    private static IOException corrupt(final ObjectLocation location, final String what) {
        return new IOException("not a sealstream object file (" + what + "): " + location);
    }

    private static byte[] randomBytes() {
        final byte[] b = new byte[12];
        NAMES.nextBytes(b);
        return b;
    }

    private static void closeQuietly(final FileChannel channel) {
        try {
            channel.close();
        } catch (final IOException e) {
            LOG.warn("closing a temporary object file failed: {}", StoreSupport.oneLine(e.toString()));
        }
    }

    private static void deleteQuietly(final Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (final IOException e) {
            LOG.warn("cannot delete temporary object file {}: {}", temp, StoreSupport.oneLine(e.toString()));
        }
    }

    private static void syncDirectory(final Path directory) {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        } catch (final IOException | UnsupportedOperationException e) {
            // Not every platform can sync a directory (Windows); the rename itself is still atomic.
        }
    }
}
