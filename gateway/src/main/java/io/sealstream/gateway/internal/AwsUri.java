package io.sealstream.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** URI encoding as AWS defines it for signing and for {@code encoding-type=url}: RFC 3986, unreserved kept. */
public final class AwsUri {

    private AwsUri() {
    }

    /** Percent-encodes everything except {@code A-Z a-z 0-9 - _ . ~} (and {@code /} when {@code keepSlash}). */
    public static String encode(final String s, final boolean keepSlash) {
        final StringBuilder out = new StringBuilder(s.length() + 16);
        for (final byte b : s.getBytes(StandardCharsets.UTF_8)) {
            final int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * Decodes {@code %XX} escapes as UTF-8; {@code +} stays {@code +} (a path, not a form). Throws
     * IllegalArgumentException on a broken escape or invalid UTF-8.
     */
    public static String decode(final String s, final boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
            return s;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("broken percent escape");
                }
                final int hi = Character.digit(s.charAt(i + 1), 16);
                final int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("broken percent escape");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                final byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                    i++;
                } else {
                    bytes.writeBytes(enc);
                }
            }
        }
        final byte[] raw = bytes.toByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (final java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("escape is not valid UTF-8");
        }
    }

    /** The query's parameters, decoded (a name without {@code =} has the empty value). */
    public static Map<String, String> parseQuery(final String rawQuery) {
        final Map<String, String> out = new TreeMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (final String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String name = decode(eq < 0 ? pair : pair.substring(0, eq), false);
            final String value = eq < 0 ? "" : decode(pair.substring(eq + 1), false);
            out.putIfAbsent(name, value);
        }
        return out;
    }

    /** SigV4's canonical query string: each name and value encoded, sorted by encoded name. */
    static String canonicalQuery(final Map<String, String> query) {
        final Map<String, String> encoded = new TreeMap<>();
        query.forEach((k, v) -> encoded.put(encode(k, false), encode(v, false)));
        final StringJoiner joined = new StringJoiner("&");
        encoded.forEach((k, v) -> joined.add(k + "=" + v));
        return joined.toString();
    }
}
