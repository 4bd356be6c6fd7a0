package io.sealstream.text;

/**
 * Text taken from an input record (identifiers, error messages) cut to a bound before it goes into a log line, a dead
 * letter or an audit event: a record's fields are only validated after they have been read, and a rejected one may
 * be megabytes long. Line breaks and tabs become spaces, so each log line and message stays one line.
 */
public final class BoundedText {

    /** Event ids, tenants, buckets, principals: far above what validation accepts, far below a record's size. */
    public static final int MAX_ID_CHARS = 512;
    /** Object keys: S3 allows 1,024 bytes. */
    public static final int MAX_KEY_CHARS = 1100;
    /** One-line error messages. */
    public static final int MAX_MESSAGE_CHARS = 2000;

    private BoundedText() {
    }

    /** {@code text} on one line, cut to {@code maxChars} with a note of how much was left out; null stays null. */
    public static String clip(final String text, final int maxChars) {
        if (text == null) {
            return null;
        }
        final String line = text.length() > maxChars * 2 ? text.substring(0, maxChars * 2) : text;
        final String flat = line.replaceAll("[\\r\\n\\t]+", " ");
        if (flat.length() <= maxChars && line.length() == text.length()) {
            return flat;
        }
        int cut = Math.min(maxChars, flat.length());
        if (cut > 0 && Character.isHighSurrogate(flat.charAt(cut - 1))) {
            cut--; // never split a surrogate pair
        }
        return flat.substring(0, cut) + "...[" + text.length() + " chars]";
    }

    /** Frames of each exception in a {@link #trace}: where it came from, enough to find the bug. */
    static final int MAX_FRAMES = 12;

    /**
     * An exception for the log: each exception of the cause chain as its class and its bounded one-line message,
     * followed by its first frames. Unlike a logger's own stack trace, no message in it can be megabytes long or hold
     * a line break of an attacker's choosing (a message may quote a record's field).
     */
    public static String trace(final Throwable e) {
        final StringBuilder b = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            b.append(depth == 0 ? "" : "\nCaused by: ").append(t.getClass().getName()).append(": ")
                    .append(clip(t.getMessage() == null ? "" : t.getMessage(), 500));
            final StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                b.append("\n\tat ").append(frames[i]);
            }
            if (frames.length > MAX_FRAMES) {
                b.append("\n\t... ").append(frames.length - MAX_FRAMES).append(" more");
            }
        }
        return b.toString();
    }

    /** An exception's message on one line and bounded; its class name when it has none. */
    public static String message(final Throwable e) {
        final String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return clip(m, MAX_MESSAGE_CHARS);
    }
}
