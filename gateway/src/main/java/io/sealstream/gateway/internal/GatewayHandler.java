package io.sealstream.gateway.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.envelope.EnvelopeKeyException;
import io.sealstream.envelope.MalformedEnvelopeException;
import io.sealstream.gateway.GatewayConfig;
import io.sealstream.gateway.GatewayConfig.LogicalBucket;
import io.sealstream.gateway.GatewayConfig.Principal;
import io.sealstream.keys.KeyScopeMismatchException;
import io.sealstream.keys.KeyShreddedException;
import io.sealstream.kms.KmsException;
import io.sealstream.events.PlaintextChecksum;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.PlaintextChecksums;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one S3 request: authenticates it (SigV4), maps the bucket to a tenant's logical bucket, checks the
 * principal's grants, and answers GetObject (whole or one range), HeadObject, HeadBucket, ListObjectsV2 or
 * ListBuckets. Plaintext leaves only segment by segment as each authenticates, and a read's last bytes only once its
 * DECRYPT audit event is durable; a failure after the status line was sent closes the connection before the promised
 * length, which every HTTP client reports as an error.
 */
public final class GatewayHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHandler.class);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int COPY_BUFFER = 256 * 1024;

    private final GatewayConfig config;
    private final SigV4Verifier verifier;
    private final ObjectStore store;
    private final String destinationBucket;
    private final AuditedObjectReader reader;
    private final ObjectListing listing;

    public GatewayHandler(final GatewayConfig config, final ObjectStore store, final String destinationBucket,
                          final AuditedObjectReader reader, final Clock clock) {
        this.config = config;
        this.verifier = new SigV4Verifier(config.principals(), config.region(), config.maxClockSkew(), clock);
        this.store = store;
        this.destinationBucket = destinationBucket;
        this.reader = reader;
        this.listing = new ObjectListing(store, destinationBucket);
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        final String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        exchange.getResponseHeaders().set("x-amz-request-id", requestId);
        exchange.getResponseHeaders().set("Server", "sealstream");
        final String rawPath = exchange.getRequestURI().getRawPath();
        try (exchange) {
            try {
                serve(exchange, rawPath);
            } catch (final S3Error e) {
                sendError(exchange, e, rawPath, requestId);
            } catch (final IllegalArgumentException e) {
                sendError(exchange, new S3Error(400, "InvalidArgument", oneLine(e.getMessage())), rawPath, requestId);
            } catch (final ObjectStoreUnavailableException e) {
                sendError(exchange, new S3Error(503, "ServiceUnavailable", "The object store is unavailable; retry."),
                        rawPath, requestId);
            } catch (final IOException | RuntimeException e) {
                LOG.warn("request {} {} failed: {}", exchange.getRequestMethod(), rawPath, oneLine(String.valueOf(e.getMessage())));
                sendError(exchange, new S3Error(500, "InternalError", "We encountered an internal error. Please try again."),
                        rawPath, requestId);
            }
        }
    }

    private void serve(final HttpExchange exchange, final String rawPath) throws IOException, S3Error {
        final String method = exchange.getRequestMethod();
        final Principal principal = verifier.verify(new SigV4Verifier.Request(method, rawPath,
                exchange.getRequestURI().getRawQuery(), lowerCaseHeaders(exchange)));
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new S3Error(405, "MethodNotAllowed", "The gateway is read-only: GET and HEAD only.");
        }
        final Map<String, String> query = AwsUri.parseQuery(exchange.getRequestURI().getRawQuery());
        if (rawPath.equals("/") || rawPath.isEmpty()) {
            sendXml(exchange, 200, listBuckets(principal));
            return;
        }
        final int slash = rawPath.indexOf('/', 1);
        final String bucketName = AwsUri.decode(slash < 0 ? rawPath.substring(1) : rawPath.substring(1, slash), false);
        final String key = slash < 0 ? "" : AwsUri.decode(rawPath.substring(slash + 1), false);
        final LogicalBucket logical = config.buckets().get(bucketName);
        if (logical == null) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
        }
        if (!principal.mayRead(logical)) {
            final ObjectIdentity identity = new ObjectIdentity(logical.tenant(), logical.bucket(), key);
            reader.recordRefusal(identity.destination(destinationBucket), identity, principal.name(), "ACCESS_DENIED",
                    "principal '" + principal.name() + "' has no grant for " + logical);
            throw S3Error.accessDenied("Access Denied");
        }
        if (key.isEmpty()) {
            if (method.equals("HEAD")) {
                sendEmpty(exchange, 200);
            } else if (query.containsKey("location")) {
                sendXml(exchange, 200, S3Xml.PROLOG + "<LocationConstraint xmlns=\"" + S3Xml.NS + "\">"
                        + S3Xml.escape(config.region()) + "</LocationConstraint>");
            } else if ("2".equals(query.get("list-type"))) {
                sendXml(exchange, 200, listing.listV2(bucketName, logical, query));
            } else {
                throw new S3Error(501, "NotImplemented", "Only ListObjectsV2 (list-type=2) is supported.");
            }
            return;
        }
        if (!storable(key)) {
            // The pipeline never writes such a key; and "../" must never walk out of the tenant's prefix in a store
            // that resolves paths (the data key's tenant binding would refuse it too: this is the first wall).
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        }
        final ObjectIdentity identity = new ObjectIdentity(logical.tenant(), logical.bucket(), key);
        final ObjectLocation location = identity.destination(destinationBucket);
        if (method.equals("GET")) {
            getObject(exchange, principal, identity, location);
            return;
        }
        final Optional<StoredObject> head = store.head(location);
        if (head.isEmpty()) {
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        }
        {
            final long size = PlaintextView.size(head.get().metadata())
                    .orElseThrow(() -> new S3Error(500, "InternalError", "The object has no sealstream metadata."));
            objectHeaders(exchange, head.get());
            PlaintextView.checksum(head.get().metadata()).flatMap(PlaintextChecksums::amzSha256)
                    .ifPresent(v -> exchange.getResponseHeaders().set("x-amz-checksum-sha256", v));
            exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private void getObject(final HttpExchange exchange, final Principal principal, final ObjectIdentity identity,
                           final ObjectLocation location) throws IOException, S3Error {
        final String rangeHeader = exchange.getRequestHeaders().getFirst("Range");
        final AuditedObjectReader.OpenObject open;
        try {
            // one store request: the whole object for a whole GET, the header and first segment for a range
            open = reader.open(location, identity, principal.name(), rangeHeader == null);
        } catch (final IOException | RuntimeException e) {
            throw mapped(e);
        }
        try (open) {
            serveRead(exchange, principal, location, open, rangeHeader);
        }
    }

    private void serveRead(final HttpExchange exchange, final Principal principal, final ObjectLocation location,
                           final AuditedObjectReader.OpenObject open, final String rangeHeader) throws IOException, S3Error {
        final StoredObject head = open.stored();
        final Optional<Long> declared = PlaintextView.size(head.metadata());
        if (declared.isPresent() && declared.get() != open.plaintextSize()) {
            throw new S3Error(500, "InternalError", "The stored object does not match its metadata.");
        }
        final long size = open.plaintextSize();
        final Optional<ByteRange> range;
        try {
            range = ByteRange.parse(rangeHeader, size);
        } catch (final S3Error e) {
            exchange.getResponseHeaders().set("Content-Range", "bytes */" + size);
            throw e;
        }
        final long first = range.map(ByteRange::first).orElse(0L);
        final long length = range.map(ByteRange::length).orElse(size);
        objectHeaders(exchange, head);
        // A whole-object read is checked against the plaintext checksum the upload declared (in the metadata, which
        // is not authenticated: a mismatch means the object or its metadata was altered, and the read is cut off).
        final Optional<PlaintextChecksum> checksum = range.isPresent() ? Optional.empty() : PlaintextView.checksum(head.metadata());
        final PlaintextChecksums.Digest digest = checksum.map(c -> PlaintextChecksums.digest(c.getAlgorithm())).orElse(null);
        checksum.flatMap(PlaintextChecksums::amzSha256).ifPresent(v -> exchange.getResponseHeaders().set("x-amz-checksum-sha256", v));
        range.ifPresent(r -> exchange.getResponseHeaders().set("Content-Range", r.contentRange(size)));
        try (AuditedObjectReader.OpenObject.RangeRead read = open.read(first, length)) {
            // Nothing is sent before the first segment authenticated: a tampered or unreadable object is a clean
            // error response, not a cut one.
            final InputStream plain = read.plaintext();
            final byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, length))];
            int n;
            try {
                n = length == 0 ? 0 : plain.readNBytes(buffer, 0, (int) Math.min(buffer.length, length));
                if (length == 0) {
                    plain.read(); // verifies the segment an empty object or range still has
                }
            } catch (final IOException e) {
                read.failed(e);
                throw mapped(e);
            }
            long sent = 0;
            exchange.sendResponseHeaders(range.isPresent() ? 206 : 200, length == 0 ? -1 : length);
            final OutputStream out = exchange.getResponseBody();
            try {
                while (n > 0) {
                    if (digest != null) {
                        digest.update(buffer, 0, n);
                    }
                    if (sent + n == length) {
                        if (digest != null && !java.security.MessageDigest.isEqual(digest.digest(),
                                PlaintextChecksums.value(checksum.get()))) {
                            throw new EnvelopeAuthenticationException("the plaintext does not match the checksum "
                                    + "recorded for the object; its last bytes are withheld");
                        }
                        read.awaitAudit(config.auditTimeout()); // the last bytes only once the read is on record
                    }
                    out.write(buffer, 0, n);
                    sent += n;
                    n = sent == length ? 0 : plain.readNBytes(buffer, 0, (int) Math.min(buffer.length, length - sent));
                    if (n == 0 && sent < length) {
                        throw new IOException("the object ended " + (length - sent) + " bytes early");
                    }
                }
                if (length == 0) {
                    if (digest != null && !java.security.MessageDigest.isEqual(digest.digest(),
                            PlaintextChecksums.value(checksum.get()))) {
                        throw new EnvelopeAuthenticationException("the empty plaintext does not match its checksum");
                    }
                    read.awaitAudit(config.auditTimeout());
                }
                out.flush();
            } catch (final IOException | RuntimeException e) {
                read.failed(e);
                LOG.warn("GET {} by {} broke off after {} of {} bytes: {}", location.toUri(), principal.name(), sent,
                        length, oneLine(String.valueOf(e.getMessage())));
                abort(exchange);
            }
        }
    }

    /** No empty, {@code .} or {@code ..} segment, no NUL or backslash: keys as the pipeline's validator admits them. */
    static boolean storable(final String key) {
        if (key.indexOf('\0') >= 0 || key.indexOf('\\') >= 0) {
            return false;
        }
        for (final String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Ends the exchange short of its Content-Length: the connection is closed and the client sees a failed read. */
    private static void abort(final HttpExchange exchange) {
        // The exchange, not its body stream: closing the exchange closes the short fixed-length body, which fails
        // ("insufficient bytes written to stream"), and on that failure the JDK server closes the connection. Closing
        // the body stream first would mark it closed quietly and leave the connection open, the client waiting for
        // bytes that never come.
        exchange.close();
    }

    private static void objectHeaders(final HttpExchange exchange, final StoredObject head) {
        final var h = exchange.getResponseHeaders();
        h.set("Content-Type", PlaintextView.contentType(head.metadata()));
        h.set("ETag", PlaintextView.etag(head.metadata()));
        h.set("Last-Modified", HTTP_DATE.format(head.lastModified()));
        h.set("Accept-Ranges", "bytes");
        PlaintextView.checksum(head.metadata()).ifPresent(c -> h.set("x-amz-meta-sealstream-checksum",
                PlaintextChecksums.toMetadata(c)));
    }

    private S3Error mapped(final Exception e) {
        Throwable t = e;
        while (t instanceof EnvelopeKeyException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ObjectNotFoundException) {
            return new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        }
        if (t instanceof KeyShreddedException) {
            return S3Error.accessDenied("The object's data key was shredded; it can no longer be read.");
        }
        if (t instanceof KeyScopeMismatchException) {
            return S3Error.accessDenied("The object is not this bucket's.");
        }
        if (t instanceof KmsException k && k.isTransient() || t instanceof ObjectStoreUnavailableException) {
            return new S3Error(503, "ServiceUnavailable", "A dependency (KMS or object store) is unavailable; retry.");
        }
        if (t instanceof EnvelopeAuthenticationException || t instanceof MalformedEnvelopeException) {
            return new S3Error(500, "InternalError", "The stored object failed its integrity check.");
        }
        LOG.warn("read failed: {}", oneLine(String.valueOf(e.getMessage())));
        return new S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
    }

    private String listBuckets(final Principal principal) {
        final StringBuilder xml = new StringBuilder(S3Xml.PROLOG).append("<ListAllMyBucketsResult xmlns=\"")
                .append(S3Xml.NS).append("\"><Owner>").append(S3Xml.element("ID", principal.name()))
                .append(S3Xml.element("DisplayName", principal.name())).append("</Owner><Buckets>");
        new TreeMap<>(config.buckets()).forEach((name, logical) -> {
            if (principal.mayRead(logical)) {
                xml.append("<Bucket>").append(S3Xml.element("Name", name))
                        .append(S3Xml.element("CreationDate", "1970-01-01T00:00:00.000Z")).append("</Bucket>");
            }
        });
        return xml.append("</Buckets></ListAllMyBucketsResult>").toString();
    }

    private static Map<String, List<String>> lowerCaseHeaders(final HttpExchange exchange) {
        final Map<String, List<String>> out = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        return out;
    }

    private static void sendXml(final HttpExchange exchange, final int status, final String xml) throws IOException {
        final byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendEmpty(final HttpExchange exchange, final int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    private static void sendError(final HttpExchange exchange, final S3Error e, final String resource,
                                  final String requestId) throws IOException {
        if (exchange.getResponseCode() != -1) {
            abort(exchange); // the status line is out: all that is left is to cut the response short
            return;
        }
        exchange.getResponseHeaders().remove("Content-Length");
        sendXml(exchange, e.status(), S3Xml.error(e, resource, requestId));
    }

    private static String oneLine(final String s) {
        final String flat = s.replaceAll("[\\r\\n]+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
