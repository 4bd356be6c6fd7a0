package io.sealstream.store;

import io.sealstream.config.ConfigValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A store on S3 or an S3-compatible server (MinIO, S3Proxy, Ceph), through the AWS SDK v2's synchronous client.
 *
 * <h2>Uploads</h2>
 * {@link #put} buffers what the writer produces. An object smaller than the multipart threshold goes up in one
 * PutObject once the writer returns. As soon as the buffered bytes reach the threshold, a multipart upload starts
 * and every full part is uploaded from the writer's thread as it fills (one part in flight, no extra threads), the
 * rest when the writer returns, then CompleteMultipartUpload makes the object visible all at once. Memory held per
 * put is therefore at most max(threshold, part size) plus one chunk (≤ 1 MiB), whatever the object's size. If
 * anything fails (the writer, a part, the completion) the multipart upload is aborted and the failure rethrown, the
 * writer's own exception unchanged. An abort that itself fails is logged: a bucket lifecycle rule
 * ({@code AbortIncompleteMultipartUpload}) is the backstop for uploads orphaned by a crash.
 *
 * <p>With checksum mode {@code when_supported} the uploads declare SHA-256 explicitly (PutObject and
 * CreateMultipartUpload, UploadPart with {@code x-amz-checksum-sha256}, and each part's SHA-256 in
 * CompleteMultipartUpload), so the store verifies every byte it receives; with {@code when_required} none is sent or
 * validated.
 *
 * <h2>Failures</h2>
 * <ul>
 * <li>no connection, timeouts, anything else the SDK raises client-side, HTTP 5xx, 429, throttling ({@code SlowDown})
 *     and {@code RequestTimeout}: {@link ObjectStoreUnavailableException} (after the SDK's own retries);</li>
 * <li>404 on get: {@link ObjectNotFoundException}; on head: empty; on delete: nothing to do;</li>
 * <li>anything else (403, a missing bucket on put, ...): an IOException naming status and S3 error code.</li>
 * </ul>
 * Messages are one line and carry no credential. An interrupted or failed read of a get's stream raises
 * {@link ObjectStoreUnavailableException} too.
 */
public final class S3ObjectStore implements ObjectStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final int MAX_PARTS = 10_000;
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final Set<String> TRANSIENT_ERROR_CODES = Set.of(
            "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
            "RequestThrottled", "TooManyRequests", "RequestTimeoutException");

    private final S3StoreConfig config;
    private final S3Client s3;
    /** The same client but aws-chunked, for multipart parts (S3Clients.build explains why). */
    private final S3Client partsClient;
    private final boolean checksums;
    private final Region region;
    /** The credentials provider, closed with the store (the default chain's holds refresh threads). */
    private final AwsCredentialsProvider credentials;
    private final LongAccumulator peakBufferBytes = new LongAccumulator(Math::max, 0);

    public S3ObjectStore(final S3StoreConfig config) {
        this(config, builder -> { });
    }

    /** For tests: {@code customizer} may add interceptors or override settings before the client is built. */
    S3ObjectStore(final S3StoreConfig config, final Consumer<S3ClientBuilder> customizer) {
        this.config = Objects.requireNonNull(config, "config");
        this.checksums = config.checksumMode() == S3StoreConfig.ChecksumMode.WHEN_SUPPORTED;
        this.region = S3Clients.region(config);
        this.credentials = S3Clients.credentials(config);
        this.s3 = S3Clients.build(config, region, credentials, customizer, false);
        this.partsClient = S3Clients.build(config, region, credentials, customizer, true);
    }

    public S3StoreConfig config() {
        return config;
    }

    /** The region requests are signed for. */
    public Region region() {
        return region;
    }

    /** The most bytes of upload buffer any single put of this store has allocated so far. */
    long peakBufferBytes() {
        return peakBufferBytes.get();
    }

    @Override
    public StoredObject put(final ObjectLocation location, final Map<String, String> metadata,
            final ObjectContentWriter writer) throws IOException {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(writer, "writer");
        final Upload upload = new Upload(location, StoreSupport.checkedMetadata(metadata));
        final StoreSupport.WriterStream content = new StoreSupport.WriterStream(upload);
        try {
            try {
                writer.writeTo(content);
            } finally {
                content.close();
            }
            content.checkNoWriteFailed();
            upload.finish();
        } catch (final Throwable failure) {
            upload.abort(); // never throws: the writer's exception must go back unchanged
            throw failure;
        } finally {
            peakBufferBytes.accumulate(upload.buffer.allocatedBytes());
            upload.buffer.release();
        }
        return new StoredObject(location, content.count(), upload.metadata);
    }

    @Override
    public Optional<StoredObject> head(final ObjectLocation location) throws IOException {
        final HeadObjectResponse response;
        try {
            response = s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (final SdkServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw mapped("head", location, e);
        } catch (final SdkException e) {
            throw mapped("head", location, e);
        }
        return Optional.of(new StoredObject(location, response.contentLength(), response.metadata(),
                response.lastModified()));
    }

    @Override
    public InputStream get(final ObjectLocation location) throws IOException {
        return get(location, null);
    }

    @Override
    public InputStream get(final ObjectLocation location, final long offset, final long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range");
        }
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return get(location, "bytes=" + offset + "-" + (offset + length - 1));
    }

    @Override
    public ObjectRead read(final ObjectLocation location, final long offset, final long length) throws IOException {
        if (offset < 0 || length < -1) {
            throw new IllegalArgumentException("negative range");
        }
        if (length == 0) {
            return ObjectStore.super.read(location, offset, length);
        }
        final S3ObjectInputStream in = get(location, offset == 0 && length < 0 ? null
                : "bytes=" + offset + "-" + (length < 0 ? "" : Long.toString(offset + length - 1)));
        final GetObjectResponse response = in.response();
        // A ranged answer says the whole size after the slash of Content-Range; a plain one in Content-Length.
        final String contentRange = response.contentRange();
        final long size = contentRange != null && contentRange.lastIndexOf('/') > 0
                ? Long.parseLong(contentRange.substring(contentRange.lastIndexOf('/') + 1).trim())
                : response.contentLength();
        return new ObjectRead(new StoredObject(location, size, response.metadata(), response.lastModified()), in);
    }

    private S3ObjectInputStream get(final ObjectLocation location, final String range) throws IOException {
        try {
            return new S3ObjectInputStream(s3.getObject(b -> b.bucket(location.bucket()).key(location.key()).range(range)),
                    location, where());
        } catch (final SdkServiceException e) {
            if (e.statusCode() == 404) {
                final ObjectNotFoundException notFound = new ObjectNotFoundException(location);
                notFound.initCause(e);
                throw notFound;
            }
            throw mapped("get", location, e);
        } catch (final SdkException e) {
            throw mapped("get", location, e);
        }
    }

    @Override
    public void tag(final ObjectLocation location, final Map<String, String> tags) throws IOException {
        final java.util.List<software.amazon.awssdk.services.s3.model.Tag> tagSet = new java.util.ArrayList<>();
        tags.forEach((k, v) -> tagSet.add(software.amazon.awssdk.services.s3.model.Tag.builder().key(k).value(v).build()));
        try {
            s3.putObjectTagging(b -> b.bucket(location.bucket()).key(location.key()).tagging(t -> t.tagSet(tagSet)));
        } catch (final SdkServiceException e) {
            if (e.statusCode() == 404) {
                throw new ObjectNotFoundException(location);
            }
            if (e.statusCode() == 501) { // S3Proxy and some other S3-compatible servers have no object tagging
                throw new UnsupportedOperationException(describe() + " does not implement object tagging (HTTP 501)");
            }
            throw mapped("tag", location, e);
        } catch (final SdkException e) {
            throw mapped("tag", location, e);
        }
    }

    @Override
    public void delete(final ObjectLocation location) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (final SdkServiceException e) {
            if (e.statusCode() != 404) { // no bucket: no object either
                throw mapped("delete", location, e);
            }
        } catch (final SdkException e) {
            throw mapped("delete", location, e);
        }
    }

    @Override
    public List<String> list(final String bucket, final String prefix, final String startAfter, final int max)
            throws IOException {
        final ObjectLocation where = new ObjectLocation(bucket, prefix.isEmpty() ? "-" : prefix);
        try {
            final var response = s3.listObjectsV2(b -> {
                b.bucket(bucket).prefix(prefix).maxKeys(Math.min(max, 1000));
                if (startAfter != null) {
                    b.startAfter(startAfter);
                }
            });
            final List<String> keys = new ArrayList<>();
            response.contents().forEach(o -> keys.add(o.key()));
            return keys;
        } catch (final SdkServiceException e) {
            if (e.statusCode() == 404) {
                return List.of();
            }
            throw mapped("list", where, e);
        } catch (final SdkException e) {
            throw mapped("list", where, e);
        }
    }

    @Override
    public String describe() {
        return "S3 store " + where() + " (region " + region.id() + (config.pathStyle() ? ", path-style" : "")
                + (config.sse().mode() == S3StoreConfig.ServerSideEncryption.Mode.NONE ? ""
                        : ", sse-" + config.sse().mode().name().toLowerCase(java.util.Locale.ROOT)) + ")";
    }

    private String where() {
        return config.endpoint() == null ? "on AWS" : "at " + config.endpoint();
    }

    @Override
    public void close() {
        s3.close();
        partsClient.close();
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (final Exception e) {
                // closing for good
            }
        }
    }

    /** The one-line IOException for an SDK failure; 404s are the callers' business. */
    private IOException mapped(final String operation, final ObjectLocation location, final SdkException e) {
        final String what = "S3 " + operation + " of " + StoreSupport.printable(location.toUri());
        if (e instanceof SdkServiceException service) {
            final int status = service.statusCode();
            String code = null;
            String message = null;
            if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
                code = aws.awsErrorDetails().errorCode();
                message = aws.awsErrorDetails().errorMessage();
            }
            final String detail = "HTTP " + status + (code == null ? "" : " " + StoreSupport.oneLine(code))
                    + (message == null ? "" : ": " + StoreSupport.oneLine(message));
            if (status >= 500 || status == 429 || status == 408 || service.isThrottlingException()
                    || code != null && TRANSIENT_ERROR_CODES.contains(code)) {
                return new ObjectStoreUnavailableException(what + ": store unavailable " + where() + " (" + detail + ")", e);
            }
            return new IOException(what + " failed: " + detail, e);
        }
        // Client side: connection refused, unknown host, timeouts, interrupted, unreadable response.
        return new ObjectStoreUnavailableException(what + ": store unavailable " + where() + ": "
                + StoreSupport.oneLine(e.getMessage()), e);
    }

    private <T> T call(final String operation, final ObjectLocation location, final Supplier<T> request)
            throws IOException {
        try {
            return request.get();
        } catch (final SdkException e) {
            throw mapped(operation, location, e);
        }
    }

    /** The sink behind one put: buffers, switches to multipart at the threshold, uploads full parts as they fill. */
    private final class Upload extends OutputStream {
        final ObjectLocation location;
        final Map<String, String> metadata;
        final PartBuffer buffer = new PartBuffer();
        private final List<CompletedPart> parts = new ArrayList<>();
        private String uploadId;
        private boolean completed;
        private IOException failure;

        Upload(final ObjectLocation location, final Map<String, String> metadata) {
            this.location = location;
            this.metadata = metadata;
        }

        @Override
        public void write(final int b) throws IOException {
            checkUsable();
            buffer.write(b);
            drain();
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            checkUsable();
            int from = off;
            int remaining = len;
            while (remaining > 0) {
                // Never buffer beyond the next decision point, however large the writer's array.
                final long room = (uploadId == null ? config.multipartThreshold() : config.partSize()) - buffer.size();
                final int n = (int) Math.min(remaining, room);
                buffer.write(b, from, n);
                from += n;
                remaining -= n;
                drain();
            }
        }

        private void checkUsable() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        /** Starts the multipart upload at the threshold and uploads every full part. */
        private void drain() throws IOException {
            try {
                if (uploadId == null && buffer.size() >= config.multipartThreshold()) {
                    start();
                }
                while (uploadId != null && buffer.size() >= config.partSize()) {
                    uploadPart(config.partSize());
                }
            } catch (final IOException e) {
                failure = e;
                throw e;
            }
        }

        private void start() throws IOException {
            uploadId = call("put", location, () -> s3.createMultipartUpload(b -> {
                b.bucket(location.bucket()).key(location.key()).metadata(metadata).contentType(CONTENT_TYPE);
                if (checksums) {
                    b.checksumAlgorithm(ChecksumAlgorithm.SHA256);
                }
                S3Clients.encryption(config.sse(), b::serverSideEncryption, b::ssekmsKeyId);
            })).uploadId();
        }

        private void uploadPart(final long length) throws IOException {
            if (parts.size() == MAX_PARTS) {
                throw new IOException("S3 put of " + location + " failed: the object needs more than " + MAX_PARTS
                        + " parts of " + ConfigValues.formatSize(config.partSize()) + "; raise part-size");
            }
            final int number = parts.size() + 1;
            final UploadPartResponse response = call("put", location, () -> partsClient.uploadPart(b -> {
                b.bucket(location.bucket()).key(location.key()).uploadId(uploadId).partNumber(number)
                        .contentLength(length);
                if (checksums) {
                    b.checksumAlgorithm(ChecksumAlgorithm.SHA256);
                }
            }, body(length)));
            parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag())
                    .checksumSHA256(response.checksumSHA256()).build());
            buffer.discard(length);
        }

        private RequestBody body(final long length) {
            // A fresh stream over the buffered bytes for each attempt (signing, sending, retries): nothing copied.
            return RequestBody.fromContentProvider(() -> buffer.open(length), length, CONTENT_TYPE);
        }

        /** After the writer returned: the last part and the completion, or the single PutObject. */
        void finish() throws IOException {
            checkUsable();
            if (uploadId == null) {
                final long length = buffer.size();
                call("put", location, () -> s3.putObject(b -> {
                    b.bucket(location.bucket()).key(location.key()).metadata(metadata).contentType(CONTENT_TYPE)
                            .contentLength(length);
                    if (checksums) {
                        b.checksumAlgorithm(ChecksumAlgorithm.SHA256);
                    }
                    S3Clients.encryption(config.sse(), b::serverSideEncryption, b::ssekmsKeyId);
                }, body(length)));
            } else {
                if (buffer.size() > 0 || parts.isEmpty()) {
                    uploadPart(buffer.size());
                }
                call("put", location, () -> s3.completeMultipartUpload(b -> b.bucket(location.bucket())
                        .key(location.key()).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            }
            completed = true;
        }

        /** Aborts a started multipart upload; logs rather than throws. */
        void abort() {
            if (uploadId == null || completed) {
                return;
            }
            final boolean interrupted = Thread.interrupted(); // an interrupted thread could not even send the abort
            try {
                s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(location.key()).uploadId(uploadId));
            } catch (final RuntimeException e) {
                LOG.warn("could not abort multipart upload {} of {} ({}): {}; a bucket lifecycle rule "
                        + "AbortIncompleteMultipartUpload removes it eventually", uploadId, location, where(),
                        StoreSupport.oneLine(e.getMessage()));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * A get's stream: SDK failures while reading become {@link ObjectStoreUnavailableException}, and closing before the
     * end aborts the connection instead of draining the rest of a possibly huge object.
     */
}
