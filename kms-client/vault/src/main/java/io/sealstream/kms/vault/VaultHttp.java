package io.sealstream.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.ProviderSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The HTTP side of {@link VaultTransitKms}: one request to the Transit mount, its JSON data or mapped failure. */
final class VaultHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final VaultTransitConfig config;
    private final HttpClient http;
    private final String base;

    VaultHttp(final VaultTransitConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.base = config.address().toString().replaceAll("/+$", "") + "/v1/" + config.mount() + "/";
    }

    /**
     * One request; the response's {@code data} object (an empty object for 204). {@code dekId} is set for calls on a
     * wrapped key, whose 400s become {@link KeyUnwrapException}s naming it.
     */
    JsonNode call(final String method, final String path, final ObjectNode body, final String operation,
                  final String subject, final String dekId) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("X-Vault-Token", config.token().value())
                .header("Accept", "application/json");
        if (config.namespace() != null) {
            request.header("X-Vault-Namespace", config.namespace());
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body.toString().getBytes(StandardCharsets.UTF_8)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        final String what = "Vault " + operation + " for " + subject + (dekId == null ? "" : " (data key " + dekId + ")");
        final HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (final IOException e) {
            throw new KmsUnavailableException(what + " failed, Vault unreachable: " + e.getClass().getSimpleName(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmsException(what + " interrupted", e);
        }
        final int status = response.statusCode();
        final byte[] bytes = response.body();
        try {
            if (status >= 200 && status < 300) {
                if (status == 204 || bytes == null || bytes.length == 0) {
                    return JSON.createObjectNode();
                }
                final JsonNode root = parse(bytes, what);
                final JsonNode data = root.get("data");
                return data == null || data.isNull() ? JSON.createObjectNode() : data;
            }
            throw failure(status, errors(bytes), what, subject, dekId);
        } finally {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0); // the response of datakey/decrypt holds a plaintext key
            }
        }
    }

    private static JsonNode parse(final byte[] bytes, final String what) {
        try {
            return JSON.readTree(bytes);
        } catch (final IOException e) {
            throw new KmsException(what + ": Vault's response is not JSON");
        }
    }

    private String errors(final byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return "";
        }
        try {
            final JsonNode errors = JSON.readTree(bytes).path("errors");
            final List<String> messages = new ArrayList<>();
            errors.forEach(e -> messages.add(e.asText()));
            return config.token().redact(ProviderSettings.oneLine(String.join("; ", messages), 300));
        } catch (final IOException e) {
            return "";
        }
    }

    /** Maps an HTTP failure to the SPI's exceptions; {@code errors} is Vault's (redacted, one-line) message. */
    static KmsException failure(final int status, final String errors, final String what, final String subject,
                                final String dekId) {
        final String detail = "HTTP " + status + (errors.isEmpty() ? "" : ": " + errors);
        if (status == 429 || status == 412 || status >= 500) {
            return new KmsUnavailableException(what + " failed, Vault temporarily unavailable (" + detail + ")");
        }
        final String lower = errors.toLowerCase(Locale.ROOT);
        if (status == 404 || status == 400 && (lower.contains("key not found") || lower.contains("policy not found")
                || lower.contains("invalid key name") || lower.contains("no existing key named"))) {
            return new KeyNotFoundException(subject + " not found in Vault transit (" + detail + ")");
        }
        if (status == 401 || status == 403) {
            return new KmsException(what + " denied: check the Vault token and its policy (" + detail + ")");
        }
        if (status == 400 && dekId != null) {
            return new KeyUnwrapException("Vault rejected wrapped data key " + dekId + " under " + subject + " (" + detail + ")");
        }
        return new KmsException(what + " failed (" + detail + ")");
    }
}
