package io.sealstream.kms.hadoop;

import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.ProviderSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

/** The REST side of {@link HadoopKms}: builds requests to {@code <url>/kms/v1}, sends them and classifies failures. */
final class HadoopKmsRest {

    /** Answers of Hadoop KMS 3.x for a key or key version that does not exist (sent as 400 or 500). */
    private static final Pattern MISSING = Pattern.compile(
            "not found|does not exist|doesn't exist|No KeyVersion exists|Can't find Metadata", Pattern.CASE_INSENSITIVE);

    private final HadoopKmsConfig config;
    private final HttpClient http;
    private final String base;
    private volatile boolean closed;

    HadoopKmsRest(final HadoopKmsConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.base = config.url() + "/kms/v1";
    }

    HttpRequest.Builder get(final String path, final String query) {
        return HttpRequest.newBuilder(uri(path, query)).GET();
    }

    HttpRequest.Builder post(final String path, final String query, final byte[] json) {
        return HttpRequest.newBuilder(uri(path, query))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
    }

    HttpRequest.Builder delete(final String path) {
        return HttpRequest.newBuilder(uri(path, null)).DELETE();
    }

    private URI uri(final String path, final String query) {
        final StringBuilder q = new StringBuilder();
        if (query != null) {
            q.append(query);
        }
        if (config.user() != null) {
            q.append(q.length() == 0 ? "" : "&").append("user.name=")
                    .append(URLEncoder.encode(config.user(), StandardCharsets.UTF_8));
        }
        return URI.create(base + path + (q.length() == 0 ? "" : "?" + q));
    }

    /**
     * Sends the request and returns the parsed JSON body ({@code material} fields as byte arrays when
     * {@code keepMaterial}, else skipped), or throws the classified failure. The raw body is zeroed.
     *
     * @param keyId the key the request is about, for "not found" answers, or null
     */
    Object call(final String what, final HttpRequest.Builder request, final boolean keepMaterial, final String keyId) {
        if (closed) {
            throw new IllegalStateException("hadoop-kms client for " + config.url() + " is closed");
        }
        request.timeout(config.requestTimeout()).header("Accept", "application/json");
        if (config.authorization() != null) {
            request.header("Authorization", config.authorization());
        }
        final HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (final IOException e) {
            throw new KmsUnavailableException("Hadoop KMS " + config.url() + " unreachable while " + what + ": "
                    + e.getClass().getSimpleName(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmsUnavailableException("interrupted while " + what + " at Hadoop KMS " + config.url(), e);
        }
        final byte[] body = response.body() == null ? new byte[0] : response.body();
        try {
            final int status = response.statusCode();
            if (status >= 200 && status < 300) {
                if (body.length == 0) {
                    return null;
                }
                try {
                    return KmsJson.parse(body, keepMaterial);
                } catch (final KmsJson.MalformedException e) {
                    throw malformed(what, e.getMessage());
                }
            }
            throw failure(what, status, body, keyId);
        } finally {
            Arrays.fill(body, (byte) 0);
        }
    }

    private KmsException failure(final String what, final int status, final byte[] body, final String keyId) {
        String detail = "";
        try {
            if (KmsJson.parse(body, false) instanceof Map<?, ?> map && map.get("RemoteException") instanceof Map<?, ?> remote) {
                detail = ProviderSettings.oneLine(remote.get("exception") + ": " + remote.get("message"));
            }
        } catch (final KmsJson.MalformedException notJson) {
            // an HTML error page from the web server: the status says enough
        }
        final String message = "Hadoop KMS " + config.url() + " " + what + ": HTTP " + status
                + (detail.isEmpty() ? "" : " " + detail);
        if (status == 404 || (keyId != null && (status == 400 || status >= 500) && MISSING.matcher(detail).find())) {
            return new KeyNotFoundException(message);
        }
        if (status == 401 || status == 403) {
            return new KmsException(message + " (user '" + config.user() + "' is not authorised)");
        }
        if (status == 429 || status >= 500) {
            if (detail.contains("already exists")) {
                return new KmsException(message);
            }
            return new KmsUnavailableException(message);
        }
        return new KmsException(message);
    }

    KmsException malformed(final String what, final String why) {
        return new KmsException("Hadoop KMS " + config.url() + " " + what + ": malformed response (" + why + ")");
    }

    void close() {
        closed = true;
    }
}
