package io.sealstream.gateway.internal;

import io.sealstream.gateway.GatewayConfig.LogicalBucket;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ListObjectsV2 of the plaintext view: the keys under the tenant's logical bucket in the destination store, with
 * plaintext sizes and ETags, prefix, delimiter (common prefixes), continuation tokens and {@code encoding-type=url}
 * (which the AWS CLI always asks for). The store lists keys only, so each listed object costs one HEAD of its
 * ciphertext for its size and time.
 */
final class ObjectListing {

    private static final int MAX_KEYS = 1000;
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    private final ObjectStore store;
    private final String destinationBucket;

    ObjectListing(final ObjectStore store, final String destinationBucket) {
        this.store = store;
        this.destinationBucket = destinationBucket;
    }

    String listV2(final String bucketName, final LogicalBucket logical, final Map<String, String> query)
            throws IOException, S3Error {
        final String prefix = query.getOrDefault("prefix", "");
        final String delimiter = query.getOrDefault("delimiter", "");
        final boolean urlEncoding = "url".equals(query.get("encoding-type"));
        final int maxKeys;
        try {
            maxKeys = Math.min(MAX_KEYS, Integer.parseInt(query.getOrDefault("max-keys", "1000")));
        } catch (final NumberFormatException e) {
            throw new S3Error(400, "InvalidArgument", "max-keys must be a number");
        }
        if (maxKeys < 0) {
            throw new S3Error(400, "InvalidArgument", "max-keys must not be negative");
        }
        final String root = logical.tenant() + "/" + logical.bucket() + "/";
        final String token = query.get("continuation-token");
        String after;
        String skipPrefix = null;
        if (token != null) {
            final String decoded = decodeToken(token);
            if (decoded.startsWith("p:")) {
                skipPrefix = decoded.substring(2);
                after = root + skipPrefix;
            } else {
                after = root + decoded.substring(2);
            }
        } else {
            final String startAfter = query.get("start-after");
            after = startAfter == null || startAfter.isEmpty() ? null : root + startAfter;
        }
        final List<StoredObject> contents = new ArrayList<>();
        final Set<String> commonPrefixes = new LinkedHashSet<>();
        String next = null;
        boolean truncated = false;
        scan:
        while (true) {
            final List<String> page = store.list(destinationBucket, root + prefix, after, MAX_KEYS);
            for (final String storeKey : page) {
                after = storeKey;
                final String key = storeKey.substring(root.length());
                if (skipPrefix != null && key.startsWith(skipPrefix)) {
                    continue;
                }
                skipPrefix = null;
                final int d = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
                final String common = d < 0 ? null : key.substring(0, d + delimiter.length());
                if (common != null && commonPrefixes.contains(common)) {
                    continue;
                }
                if (contents.size() + commonPrefixes.size() == maxKeys) {
                    truncated = true;
                    break scan;
                }
                if (common != null) {
                    commonPrefixes.add(common);
                    next = "p:" + common;
                    skipPrefix = common;
                } else {
                    final Optional<StoredObject> head = store.head(new ObjectLocation(destinationBucket, storeKey));
                    if (head.isEmpty()) {
                        continue; // deleted between list and head
                    }
                    contents.add(head.get());
                    next = "k:" + key;
                }
            }
            if (page.size() < MAX_KEYS) {
                break;
            }
        }
        final StringBuilder xml = new StringBuilder(S3Xml.PROLOG).append("<ListBucketResult xmlns=\"").append(S3Xml.NS)
                .append("\">");
        xml.append(S3Xml.element("Name", bucketName));
        xml.append(S3Xml.element("Prefix", enc(prefix, urlEncoding)));
        if (!delimiter.isEmpty()) {
            xml.append(S3Xml.element("Delimiter", enc(delimiter, urlEncoding)));
        }
        xml.append(S3Xml.element("MaxKeys", Integer.toString(maxKeys)));
        xml.append(S3Xml.element("KeyCount", Integer.toString(contents.size() + commonPrefixes.size())));
        xml.append(S3Xml.element("IsTruncated", Boolean.toString(truncated)));
        if (token != null) {
            xml.append(S3Xml.element("ContinuationToken", token));
        }
        if (truncated && next != null) {
            xml.append(S3Xml.element("NextContinuationToken", encodeToken(next)));
        }
        if (query.containsKey("start-after")) {
            xml.append(S3Xml.element("StartAfter", enc(query.get("start-after"), urlEncoding)));
        }
        if (urlEncoding) {
            xml.append(S3Xml.element("EncodingType", "url"));
        }
        for (final StoredObject o : contents) {
            final Map<String, String> meta = o.metadata();
            xml.append("<Contents>")
                    .append(S3Xml.element("Key", enc(o.location().key().substring(root.length()), urlEncoding)))
                    .append(S3Xml.element("LastModified", ISO.format(o.lastModified().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))))
                    .append(S3Xml.element("ETag", PlaintextView.etag(meta)))
                    .append(S3Xml.element("Size", Long.toString(PlaintextView.size(meta).orElse(-1L))))
                    .append(S3Xml.element("StorageClass", "STANDARD"))
                    .append("</Contents>");
        }
        for (final String p : commonPrefixes) {
            xml.append("<CommonPrefixes>").append(S3Xml.element("Prefix", enc(p, urlEncoding))).append("</CommonPrefixes>");
        }
        return xml.append("</ListBucketResult>").toString();
    }

    private static String enc(final String s, final boolean url) {
        return url ? AwsUri.encode(s, true) : s;
    }

    private static String encodeToken(final String t) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(t.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(final String token) throws S3Error {
        try {
            final String t = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (t.startsWith("p:") || t.startsWith("k:")) {
                return t;
            }
        } catch (final IllegalArgumentException e) {
            // fall through
        }
        throw new S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
    }
}
