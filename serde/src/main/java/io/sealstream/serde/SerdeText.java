package io.sealstream.serde;

/** Text helpers for one-line error messages. */
final class SerdeText {

    private static final int MAX = 400;

    private SerdeText() {
    }

    /** Collapses whitespace runs (including line breaks) into single spaces and caps the length. */
    static String oneLine(final String text) {
        if (text == null) {
            return "";
        }
        final String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() <= MAX ? flat : flat.substring(0, MAX) + "...";
    }

    /** "SimpleName: message" of the first throwable in the cause chain that has a message. */
    static String describe(final Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return oneLine(t.getClass().getSimpleName() + ": " + t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return error instanceof java.io.EOFException ? "EOFException: the data ends before the value is complete"
                : error.getClass().getSimpleName();
    }

    /** A schema's name for messages: full name of a named type, else its type. */
    static String name(final org.apache.avro.Schema schema) {
        return schema.getFullName();
    }
}
