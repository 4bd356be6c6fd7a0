package io.sealstream.pipeline.internals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.pipeline.NotificationRoutes;
import io.sealstream.pipeline.ReasonCode;
import io.sealstream.text.BoundedText;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads S3 event notifications as MinIO publishes them to Kafka ({@code notify_kafka}: {@code EventName}, {@code Key}
 * and the same {@code Records}) and as AWS delivers them (the S3 event message structure, {@code Records[]}), and turns
 * each {@code ObjectCreated} record into the staged upload it announces: location {@code s3://<bucket>/<key>} with the
 * key URL-decoded (both encode it as a form value: {@code +} is a space, {@code %2B} a plus), size, and the tenant and
 * logical bucket its route gives. Other kinds are returned as ignored. A message that is not a notification, or a record
 * no route takes, fails the whole message (it is dead-lettered, nothing of it converted).
 */
final class S3Notifications {

    /** Event kinds reported by name in the meters; any other is counted as {@code other}. */
    static final Set<String> KNOWN_KINDS = Set.of("ObjectCreated", "ObjectRemoved", "ObjectRestore", "ObjectAccessed",
            "ObjectTagging", "ObjectAcl", "Replication", "LifecycleExpiration", "LifecycleTransition",
            "IntelligentTiering", "ReducedRedundancyLostObject", "TestEvent");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RECORDS = 1000;

    /** The uploads a message announces, and the kinds of the records it ignored. */
    record Converted(List<ObjectUploaded> uploads, List<String> ignored) {
    }

    private S3Notifications() {
    }

    static Converted convert(final byte[] value, final NotificationRoutes routes) throws PermanentFailureException {
        if (value == null) {
            throw malformed("a notification record with no value");
        }
        final JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (final java.io.IOException e) {
            throw malformed("not JSON: " + BoundedText.clip(String.valueOf(e.getMessage()).lines().findFirst().orElse(""), 200));
        }
        if (root == null || !root.isObject()) {
            throw malformed("not a JSON object");
        }
        final JsonNode records = root.get("Records");
        if (records == null || records.isNull()) {
            if (root.path("Event").asText("").endsWith("TestEvent")) {
                return new Converted(List.of(), List.of("TestEvent")); // AWS's "s3:TestEvent" when a target is set up
            }
            throw malformed("no Records array: not an S3 event notification");
        }
        if (!records.isArray() || records.size() > MAX_RECORDS) {
            throw malformed("Records must be an array of at most " + MAX_RECORDS);
        }
        final List<ObjectUploaded> uploads = new ArrayList<>();
        final List<String> ignored = new ArrayList<>();
        for (final JsonNode r : records) {
            final String eventName = text(r, "eventName");
            final String name = eventName.startsWith("s3:") ? eventName.substring(3) : eventName;
            final String kind = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            if (!kind.equals("ObjectCreated")) {
                ignored.add(KNOWN_KINDS.contains(kind) ? kind : "other");
                continue;
            }
            uploads.add(upload(r, name, routes));
        }
        return new Converted(uploads, ignored);
    }

    private static ObjectUploaded upload(final JsonNode r, final String eventName, final NotificationRoutes routes)
            throws PermanentFailureException {
        final JsonNode s3 = r.path("s3");
        final String bucket = text(s3.path("bucket"), "name");
        final String encodedKey = text(s3.path("object"), "key");
        final String key;
        try {
            key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
        } catch (final IllegalArgumentException e) {
            throw malformed("s3.object.key is not URL-encoded: " + BoundedText.clip(encodedKey, 200));
        }
        final JsonNode size = s3.path("object").path("size");
        if (!size.canConvertToLong() || size.asLong() < 0) {
            throw malformed("s3.object.size must be a number of bytes");
        }
        final NotificationRoutes.Target target = routes.route(bucket, key).orElseThrow(() -> new PermanentFailureException(
                ReasonCode.INVALID_FIELD, "no notification route takes s3://" + BoundedText.clip(bucket, 100) + "/"
                + BoundedText.clip(key, 300) + " (sealstream.notifications.route.*)"));
        final String sequencer = s3.path("object").path("sequencer").asText("");
        final String etag = s3.path("object").path("eTag").asText("");
        final String time = r.path("eventTime").asText("");
        Instant eventTime;
        try {
            eventTime = time.isEmpty() ? Instant.EPOCH : Instant.parse(time);
        } catch (final DateTimeParseException e) {
            eventTime = Instant.EPOCH;
        }
        final String principal = r.path("userIdentity").path("principalId").asText("");
        final String contentType = s3.path("object").path("contentType").asText(null);
        return ObjectUploaded.newBuilder()
                // The same notification delivered twice gets the same id (the pipeline's idempotency key); a new
                // version of the object gets a new one (its sequencer, else its ETag and time, differ).
                .setEventId("s3:" + digest(bucket, key, sequencer, etag, time))
                .setEventTime(eventTime)
                .setTenant(target.tenant())
                .setBucket(target.bucket())
                .setObjectKey(target.objectKey())
                .setContentType(contentType == null || contentType.isBlank() ? null : contentType)
                .setUploader(principal.isEmpty() ? "s3-notification" : principal)
                .setUserMetadata(Map.of("s3-event", eventName))
                .setPayload(new StagedPayload("s3://" + bucket + "/" + key, size.asLong(), null, null))
                .build();
    }

    private static String text(final JsonNode node, final String field) throws PermanentFailureException {
        final JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw malformed("missing " + field);
        }
        return v.asText();
    }

    private static String digest(final String... parts) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (final String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PermanentFailureException malformed(final String message) {
        return new PermanentFailureException(ReasonCode.MALFORMED_EVENT, "S3 notification: " + message);
    }

}
