package io.sealstream.kms.hadoop;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON that Hadoop KMS speaks, read with Jackson's streaming parser so that key material never becomes a
 * {@link String} (which could not be zeroed): a field named {@code material} is base64-decoded straight from the
 * parser's buffer into a {@code byte[]} when the caller asks for material, and skipped unread otherwise (create and
 * roll-over responses carry the new KEK version's material, which the client must neither keep nor log).
 */
final class KmsJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final int MAX_DEPTH = 8;

    private KmsJson() {
    }

    /** Thrown for a body that is not the JSON expected; the message never quotes the body. */
    static final class MalformedException extends Exception {
        MalformedException(final String message) {
            super(message);
        }
    }

    /**
     * The body as maps, lists, strings, numbers, booleans and nulls; {@code material} fields as {@code byte[]} when
     * {@code keepMaterial}, else absent. The caller zeroes any {@code byte[]} it got.
     */
    static Object parse(final byte[] body, final boolean keepMaterial) throws MalformedException {
        try (JsonParser parser = FACTORY.createParser(body)) {
            final JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedException("empty body");
            }
            final Object value = read(parser, first, keepMaterial, 0);
            if (parser.nextToken() != null) {
                throw new MalformedException("trailing data after the JSON value");
            }
            return value;
        } catch (final IOException e) {
            throw new MalformedException("not JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Zeroes every byte array (decoded key material) in a parsed body. */
    static void zeroMaterial(final Object json) {
        if (json instanceof byte[] bytes) {
            Arrays.fill(bytes, (byte) 0);
        } else if (json instanceof Map<?, ?> map) {
            map.values().forEach(KmsJson::zeroMaterial);
        } else if (json instanceof List<?> list) {
            list.forEach(KmsJson::zeroMaterial);
        }
    }

    private static Object read(final JsonParser parser, final JsonToken token, final boolean keepMaterial, final int depth)
            throws IOException, MalformedException {
        if (depth > MAX_DEPTH) {
            throw new MalformedException("JSON nested too deeply");
        }
        switch (token) {
            case START_OBJECT -> {
                final Map<String, Object> map = new LinkedHashMap<>();
                JsonToken t;
                while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    final String name = parser.currentName();
                    final JsonToken valueToken = parser.nextToken();
                    if ("material".equals(name) && valueToken == JsonToken.VALUE_STRING) {
                        if (keepMaterial) {
                            map.put(name, decodeBase64(parser.getTextCharacters(), parser.getTextOffset(),
                                    parser.getTextLength()));
                        }
                    } else {
                        map.put(name, read(parser, valueToken, keepMaterial, depth + 1));
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new MalformedException("unterminated JSON object");
                }
                return map;
            }
            case START_ARRAY -> {
                final List<Object> list = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new MalformedException("unterminated JSON array");
                    }
                    list.add(read(parser, t, keepMaterial, depth + 1));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new MalformedException("unexpected JSON token " + token);
        }
    }

    /** Base64 (URL-safe or standard, padding optional) from a char range, without creating a String. */
    static byte[] decodeBase64(final char[] chars, final int offset, final int length) throws MalformedException {
        final byte[] ascii = new byte[length];
        int n = 0;
        try {
            for (int i = 0; i < length; i++) {
                final char c = chars[offset + i];
                if (c == '=') {
                    break;
                }
                if (c > 127) {
                    throw new MalformedException("key material is not base64");
                }
                ascii[n++] = (byte) (c == '+' ? '-' : c == '/' ? '_' : c);
            }
            return Base64.getUrlDecoder().decode(Arrays.copyOf(ascii, n));
        } catch (final IllegalArgumentException e) {
            throw new MalformedException("key material is not base64");
        } finally {
            Arrays.fill(ascii, (byte) 0);
        }
    }

    /** URL-safe base64 without padding, as Hadoop writes it. */
    static String encodeBase64(final byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A JSON object of string fields, in order. */
    static byte[] object(final String... namesAndValues) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.writeStartObject();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                generator.writeStringField(namesAndValues[i], namesAndValues[i + 1]);
            }
            generator.writeEndObject();
        } catch (final IOException e) {
            throw new IllegalStateException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    /** A JSON object with a string/number mix, for key creation. */
    static byte[] createKeyRequest(final String name, final String cipher, final int length, final String description) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField("name", name);
            generator.writeStringField("cipher", cipher);
            generator.writeNumberField("length", length);
            generator.writeStringField("description", description);
            generator.writeEndObject();
        } catch (final IOException e) {
            throw new IllegalStateException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }
}
