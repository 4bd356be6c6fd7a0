package io.sealstream.pipeline.internals;

import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.pipeline.ReasonCode;
import io.sealstream.pipeline.StagingPolicy;
import io.sealstream.store.ObjectLocation;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks an upload event's fields before any key or storage is touched. Errors name the field and the rule, and
 * quote only identifiers (never payload bytes).
 */
final class UploadValidator {

    /** Tenants and logical buckets become path segments of the destination key. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** Event ids are stored as object metadata, which S3 limits to printable ASCII. */
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7e]{1,256}");
    /** S3 limits keys to 1024 bytes; the destination key is {@code tenant/bucket/objectKey}. */
    private static final int MAX_DESTINATION_KEY_BYTES = 1024;
    /** File systems limit a path segment to 255 bytes, and the filesystem store maps segments to directories. */
    private static final int MAX_SEGMENT_BYTES = 255;
    /** Segment names the filesystem store reserves for its temporary files. */
    private static final String RESERVED_PREFIX = ".sealstream-";
    private static final int MAX_PRINCIPAL_CHARS = 256;
    /**
     * Characters that pass for a path separator in a listing: fraction and division slash, fullwidth, big and
     * Kangxi solidus, the box-drawing diagonal, the combining solidus overlays, and the reverse-solidus look-alikes.
     */
    private static final java.util.Set<Integer> SEPARATOR_LOOKALIKES = java.util.Set.of(0x2044, 0x2215, 0xFF0F, 0x29F8,
            0x2F03, 0x2571, 0x0337, 0x0338, 0x1735, 0x2216, 0x29F5, 0x29F9, 0xFF3C, 0x2572);
    /** Content types travel into ObjectEncrypted events; RFC 6838 names are at most 127/127 characters. */
    private static final int MAX_CONTENT_TYPE_CHARS = 256;

    private final long inlineMaxBytes;
    private final StagingPolicy staging;

    UploadValidator(final long inlineMaxBytes, final StagingPolicy staging) {
        this.inlineMaxBytes = inlineMaxBytes;
        this.staging = staging;
    }

    /** Returns the staging location for a staged payload, or null for an inline one. */
    ObjectLocation validate(final ObjectUploaded u) throws PermanentFailureException {
        require(EVENT_ID.matcher(u.getEventId()).matches(), "eventId must be 1-256 printable ASCII characters");
        require(NAME.matcher(u.getTenant()).matches(), "tenant must match " + NAME.pattern());
        require(NAME.matcher(u.getBucket()).matches(), "bucket must match " + NAME.pattern());
        validateKey("objectKey", u.getObjectKey());
        final int destinationBytes = (u.getTenant() + "/" + u.getBucket() + "/" + u.getObjectKey())
                .getBytes(StandardCharsets.UTF_8).length;
        require(destinationBytes <= MAX_DESTINATION_KEY_BYTES, "tenant/bucket/objectKey must be at most "
                + MAX_DESTINATION_KEY_BYTES + " bytes of UTF-8 (S3's key limit), got " + destinationBytes);
        require(!u.getUploader().isBlank() && u.getUploader().length() <= MAX_PRINCIPAL_CHARS
                && readsAsWritten(u.getUploader()), "uploader must be 1-256 characters without control or format "
                + "characters");
        require(u.getContentType() == null || u.getContentType().length() <= MAX_CONTENT_TYPE_CHARS
                && readsAsWritten(u.getContentType()), "contentType must be at most " + MAX_CONTENT_TYPE_CHARS
                + " characters without control or format characters");
        final Object payload = u.getPayload();
        if (payload instanceof InlinePayload inline) {
            final int size = inline.getData().remaining();
            if (size > inlineMaxBytes) {
                throw new PermanentFailureException(ReasonCode.INLINE_TOO_LARGE, "inline payload of " + size
                        + " bytes exceeds sealstream.inline.max-bytes=" + inlineMaxBytes + "; upload it to staging instead");
            }
            return null;
        }
        if (payload instanceof StagedPayload staged) {
            final ObjectLocation location;
            try {
                location = ObjectLocation.parse(staged.getLocation());
            } catch (final IllegalArgumentException e) {
                throw invalid("payload.location: " + e.getMessage());
            }
            validateKey("payload.location key", location.key());
            staging.check(u.getTenant(), location);
            require(staged.getSize() >= 0, "payload.size must not be negative");
            require(staged.getSha256() == null || staged.getSha256().remaining() == 32,
                    "payload.sha256 must be 32 bytes (SHA-256) when present");
            return location;
        }
        throw invalid("payload must be InlinePayload or StagedPayload");
    }

    /** Keys both stores accept the same way: no escaping the bucket, no reserved or oversized segments. */
    private static void validateKey(final String field, final String key) throws PermanentFailureException {
        require(!key.isEmpty(), field + " must not be empty");
        require(noControlCharacters(key), field + " must not contain control characters");
        if (!readsAsWritten(key)) {
            throw invalid(field + " must not contain format characters (bidirectional controls, zero-width "
                    + "characters: U+" + firstUnreadable(key) + ")");
        }
        if (key.codePoints().anyMatch(SEPARATOR_LOOKALIKES::contains)) {
            throw invalid(field + " must not contain characters that pass for '/' or '\\' (U+" + firstLookalike(key)
                    + ")");
        }
        require(key.indexOf('\\') < 0, field + " must not contain '\\'");
        require(!key.startsWith("/") && !key.endsWith("/"), field + " must not start or end with '/'");
        for (String segment : key.split("/", -1)) {
            require(!segment.isEmpty() && !segment.equals(".") && !segment.equals(".."),
                    field + " must not contain empty, '.' or '..' path segments");
            require(!segment.startsWith(RESERVED_PREFIX), field + " must not have a segment starting with '"
                    + RESERVED_PREFIX + "'");
            require(segment.getBytes(StandardCharsets.UTF_8).length <= MAX_SEGMENT_BYTES,
                    field + " must not have a path segment longer than " + MAX_SEGMENT_BYTES + " bytes");
        }
    }

    private static boolean noControlCharacters(final String s) {
        return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /**
     * Whether {@code s} shows as what it is: no control characters (C0, DEL, C1), no format characters (Unicode
     * category Cf: bidirectional overrides and isolates such as U+202E, zero-width spaces and joiners, the BOM), no
     * line or paragraph separators. Such characters make a key or a principal display as something else in a
     * listing, a log line or an audit report ("invoice-\u202Efdp.exe" shows as "invoice-exe.pdf").
     */
    static boolean readsAsWritten(final String s) {
        return s.codePoints().noneMatch(UploadValidator::unreadable);
    }

    private static boolean unreadable(final int cp) {
        final int type = Character.getType(cp);
        return Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }

    private static String firstUnreadable(final String s) {
        return String.format("%04X", s.codePoints().filter(UploadValidator::unreadable).findFirst().orElse(0));
    }

    private static String firstLookalike(final String s) {
        return String.format("%04X", s.codePoints().filter(SEPARATOR_LOOKALIKES::contains).findFirst().orElse(0));
    }

    static void require(final boolean ok, final String message) throws PermanentFailureException {
        if (!ok) {
            throw invalid(message);
        }
    }

    private static PermanentFailureException invalid(final String message) {
        return new PermanentFailureException(ReasonCode.INVALID_FIELD, message);
    }
}
