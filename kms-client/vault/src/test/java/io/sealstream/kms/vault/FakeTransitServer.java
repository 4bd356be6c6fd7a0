package io.sealstream.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A small in-JVM stand-in for Vault's Transit engine on 127.0.0.1 (com.sun.net.httpserver): derived aes256-gcm96
 * keys with versions, min_decryption/min_encryption/min_available versions, datakey, decrypt, rewrap, rotate, config,
 * trim, delete and list, with Vault's status codes and {@code {"errors":[...]}} bodies. It checks the token, records
 * the headers it got, and can be told to answer the next request with a given status and body. Not a Vault emulator:
 * only what {@link VaultTransitKms} relies on, so the contract and the error mapping can run without Docker.
 */
final class FakeTransitServer implements AutoCloseable {

    static final String TOKEN = "hvs.fake-root-token-0123456789abcdef";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern CIPHERTEXT = Pattern.compile("vault:v(\\d+):(.+)");

    private final HttpServer server;
    private final String mount;
    private final Map<String, Key> keys = new ConcurrentHashMap<>();
    final List<Map<String, List<String>>> headers = Collections.synchronizedList(new ArrayList<>());
    final List<String> paths = Collections.synchronizedList(new ArrayList<>());
    private volatile int forcedStatus;
    private volatile String forcedBody;

    private static final class Key {
        final boolean derived;
        final String type;
        final TreeMap<Integer, byte[]> versions = new TreeMap<>();
        final TreeMap<Integer, Long> created = new TreeMap<>();
        /** For type ed25519: each version's key pair, as Transit keeps it (only the public half is ever read). */
        final TreeMap<Integer, java.security.KeyPair> signing = new TreeMap<>();
        int latest;
        int minDecryption = 1;
        int minEncryption;
        int minAvailable;
        boolean deletionAllowed;

        Key(final String type, final boolean derived) {
            this.type = type;
            this.derived = derived;
            rotate();
        }

        void rotate() {
            final byte[] material = new byte[32];
            RANDOM.nextBytes(material);
            latest++;
            versions.put(latest, material);
            created.put(latest, System.currentTimeMillis() / 1000);
            if ("ed25519".equals(type)) {
                try {
                    signing.put(latest, java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
                } catch (final java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    FakeTransitServer(final String mount) throws IOException {
        this.mount = mount;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next request is answered with {@code status} and {@code body} (once). */
    void failNext(final int status, final String body) {
        this.forcedBody = body;
        this.forcedStatus = status;
    }

    /** Creates a key the way an operator might outside sealstream. */
    void createKey(final String name, final String type, final boolean derived) {
        keys.put(name, new Key(type, derived));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---------------------------------------------------------------- dispatch

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            headers.add(Map.copyOf(exchange.getRequestHeaders()));
            final byte[] requestBody = exchange.getRequestBody().readAllBytes();
            final int status = forcedStatus;
            if (status != 0) {
                forcedStatus = 0;
                respond(exchange, status, forcedBody);
                return;
            }
            if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("X-Vault-Token"))) {
                respond(exchange, 403, "{\"errors\":[\"permission denied\"]}");
                return;
            }
            final String prefix = "/v1/" + mount + "/";
            final String path = exchange.getRequestURI().getPath();
            if (!path.startsWith(prefix)) {
                respond(exchange, 404, "{\"errors\":[\"no handler for route\"]}");
                return;
            }
            final String route = path.substring(prefix.length());
            paths.add(exchange.getRequestMethod() + " " + route);
            final JsonNode body = requestBody.length == 0 ? JSON.createObjectNode() : JSON.readTree(requestBody);
            final Object[] result;
            synchronized (this) {
                result = route(exchange.getRequestMethod(), route, exchange.getRequestURI().getQuery(), body);
            }
            respond(exchange, (Integer) result[0], (String) result[1]);
        } catch (final RuntimeException e) {
            respond(exchange, 500, "{\"errors\":[\"internal error\"]}");
        }
    }

    private static void respond(final HttpExchange exchange, final int status, final String body) throws IOException {
        if (body == null || status == 204) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Object[] error(final int status, final String message) {
        return new Object[] {status, "{\"errors\":[" + JSON.valueToTree(message) + "]}"};
    }

    private static Object[] data(final ObjectNode data) {
        final ObjectNode root = JSON.createObjectNode();
        root.put("request_id", "fake");
        root.set("data", data);
        return new Object[] {200, root.toString()};
    }

    private Object[] route(final String method, final String route, final String query, final JsonNode body) {
        final String[] parts = route.split("/");
        if (parts[0].equals("keys") && parts.length == 1 && "GET".equals(method) && "list=true".equals(query)) {
            if (keys.isEmpty()) {
                return new Object[] {404, "{\"errors\":[]}"};
            }
            final ObjectNode data = JSON.createObjectNode();
            final ArrayNode names = data.putArray("keys");
            keys.keySet().stream().sorted().forEach(names::add);
            return data(data);
        }
        if (parts[0].equals("keys") && parts.length == 2) {
            return switch (method) {
                case "GET" -> readKey(parts[1]);
                case "POST" -> {
                    keys.computeIfAbsent(parts[1], n -> new Key(body.path("type").asText("aes256-gcm96"),
                            body.path("derived").asBoolean(false)));
                    yield new Object[] {204, null};
                }
                case "DELETE" -> {
                    final Key key = keys.get(parts[1]);
                    if (key == null) {
                        yield new Object[] {204, null};
                    }
                    if (!key.deletionAllowed) {
                        yield error(400, "deletion is not allowed for this key");
                    }
                    keys.remove(parts[1]);
                    yield new Object[] {204, null};
                }
                default -> error(405, "unsupported operation");
            };
        }
        if (parts[0].equals("keys") && parts.length == 3) {
            final Key key = keys.get(parts[1]);
            if (key == null) {
                return error(400, "no existing key named " + parts[1] + " could be found");
            }
            return switch (parts[2]) {
                case "rotate" -> {
                    key.rotate();
                    yield readKey(parts[1]);
                }
                case "config" -> config(key, body);
                case "trim" -> trim(key, body.path("min_available_version").asInt(0));
                default -> error(404, "no handler for route");
            };
        }
        if (parts.length == 3 && parts[0].equals("datakey") && parts[1].equals("plaintext")) {
            final Key key = keys.get(parts[2]);
            if (key == null) {
                return error(400, "encryption key not found");
            }
            final byte[] context = context(key, body);
            if (context == null) {
                return error(400, "missing 'context' for key derivation; the key was created using a derived key");
            }
            final byte[] plaintext = new byte[body.path("bits").asInt(256) / 8];
            RANDOM.nextBytes(plaintext);
            final ObjectNode data = JSON.createObjectNode();
            data.put("ciphertext", encrypt(key, context, plaintext));
            data.put("plaintext", Base64.getEncoder().encodeToString(plaintext));
            data.put("key_version", key.latest);
            return data(data);
        }
        if (parts.length == 2 && (parts[0].equals("decrypt") || parts[0].equals("rewrap"))) {
            final Key key = keys.get(parts[1]);
            if (key == null) {
                return error(400, "encryption key not found");
            }
            final byte[] context = context(key, body);
            if (context == null) {
                return error(400, "missing 'context' for key derivation; the key was created using a derived key");
            }
            final Object decrypted = decrypt(key, context, body.path("ciphertext").asText(""));
            if (decrypted instanceof String message) {
                return error(400, message);
            }
            final ObjectNode data = JSON.createObjectNode();
            if (parts[0].equals("decrypt")) {
                data.put("plaintext", Base64.getEncoder().encodeToString((byte[]) decrypted));
            } else {
                data.put("ciphertext", encrypt(key, context, (byte[]) decrypted));
                data.put("key_version", key.latest);
            }
            return data(data);
        }
        if (parts.length == 2 && parts[0].equals("sign") && "POST".equals(method)) {
            final Key key = keys.get(parts[1]);
            if (key == null) {
                return error(400, "signing key not found");
            }
            final int version = body.path("key_version").asInt(key.latest);
            if (!key.signing.containsKey(version)) {
                return error(400, "key type " + key.type + " does not support signing");
            }
            try {
                final java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
                signer.initSign(key.signing.get(version).getPrivate());
                signer.update(Base64.getDecoder().decode(body.path("input").asText("")));
                final ObjectNode data = JSON.createObjectNode();
                data.put("signature", "vault:v" + version + ":" + Base64.getEncoder().encodeToString(signer.sign()));
                data.put("key_version", version);
                return data(data);
            } catch (final java.security.GeneralSecurityException e) {
                return error(500, e.toString());
            }
        }
        return error(404, "no handler for route \"" + route + "\"");
    }

    private Object[] readKey(final String name) {
        final Key key = keys.get(name);
        if (key == null) {
            return new Object[] {404, "{\"errors\":[]}"};
        }
        final ObjectNode data = JSON.createObjectNode();
        data.put("name", name);
        data.put("type", key.type);
        data.put("derived", key.derived);
        data.put("deletion_allowed", key.deletionAllowed);
        data.put("latest_version", key.latest);
        data.put("min_decryption_version", key.minDecryption);
        data.put("min_encryption_version", key.minEncryption);
        data.put("min_available_version", key.minAvailable);
        final ObjectNode versions = data.putObject("keys");
        key.created.forEach((v, t) -> {
            if (v >= key.minDecryption) {
                if (key.signing.containsKey(v)) {
                    // asymmetric keys list each version as an object with its public key (raw, base64)
                    final byte[] spki = key.signing.get(v).getPublic().getEncoded();
                    versions.putObject(Integer.toString(v)).put("creation_time", t).put("name", "ed25519")
                            .put("public_key", Base64.getEncoder().encodeToString(
                                    java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
                } else {
                    versions.put(Integer.toString(v), t);
                }
            }
        });
        return data(data);
    }

    private static Object[] config(final Key key, final JsonNode body) {
        final int minDecryption = body.has("min_decryption_version") ? body.get("min_decryption_version").asInt() : key.minDecryption;
        final int minEncryption = body.has("min_encryption_version") ? body.get("min_encryption_version").asInt() : key.minEncryption;
        if (minDecryption > key.latest || minEncryption > key.latest) {
            return error(400, "cannot set min version greater than latest version");
        }
        if (minEncryption > 0 && minEncryption < minDecryption) {
            return error(400, "min encryption version should not be less than min decryption version");
        }
        if (minDecryption < key.minAvailable) {
            return error(400, "min decryption version should not be less then min available version");
        }
        key.minDecryption = minDecryption;
        key.minEncryption = minEncryption;
        if (body.has("deletion_allowed")) {
            key.deletionAllowed = body.get("deletion_allowed").asBoolean();
        }
        return new Object[] {204, null};
    }

    private static Object[] trim(final Key key, final int minAvailable) {
        if (minAvailable < key.minAvailable) {
            return error(400, "minimum available version cannot be decremented");
        }
        if (key.minEncryption == 0) {
            return error(400, "minimum available version cannot be set when minimum encryption version is not set");
        }
        if (minAvailable > key.minEncryption || minAvailable > key.minDecryption) {
            return error(400, "minimum available version cannot be greater than minimum encryption/decryption version");
        }
        if (minAvailable <= 0) {
            return error(400, "minimum available version should be positive");
        }
        key.minAvailable = minAvailable;
        key.versions.headMap(minAvailable).clear();
        key.created.headMap(minAvailable).clear();
        return new Object[] {204, null};
    }

    private static byte[] context(final Key key, final JsonNode body) {
        final String context = body.path("context").asText("");
        if (!key.derived) {
            return new byte[0]; // ignored, as by Vault for keys without derivation
        }
        return context.isEmpty() ? null : Base64.getDecoder().decode(context);
    }

    private static byte[] derive(final byte[] material, final byte[] context) throws GeneralSecurityException {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(material, "HmacSHA256"));
        return mac.doFinal(context);
    }

    private static String encrypt(final Key key, final byte[] context, final byte[] plaintext) {
        try {
            final byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(derive(key.versions.get(key.latest), context), "AES"),
                    new GCMParameterSpec(128, nonce));
            final byte[] sealed = cipher.doFinal(plaintext);
            return "vault:v" + key.latest + ":" + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The plaintext, or Vault's error message. */
    private static Object decrypt(final Key key, final byte[] context, final String ciphertext) {
        final Matcher m = CIPHERTEXT.matcher(ciphertext);
        if (!m.matches()) {
            return "invalid ciphertext: no prefix";
        }
        final int version = Integer.parseInt(m.group(1));
        if (version < key.minDecryption || !key.versions.containsKey(version)) {
            return "ciphertext or signature version is disallowed by policy (too old)";
        }
        final byte[] sealed;
        try {
            sealed = Base64.getDecoder().decode(m.group(2));
        } catch (final IllegalArgumentException e) {
            return "invalid ciphertext: could not decode base64";
        }
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(derive(key.versions.get(version), context), "AES"),
                    new GCMParameterSpec(128, sealed, 0, 12));
            return cipher.doFinal(sealed, 12, sealed.length - 12);
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            return "cipher: message authentication failed";
        }
    }
}
