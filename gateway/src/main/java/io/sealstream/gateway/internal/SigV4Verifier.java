package io.sealstream.gateway.internal;

import io.sealstream.gateway.GatewayConfig.Principal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 as S3 does, for both forms a client uses: the {@code Authorization} header (SDKs,
 * the AWS CLI) and query-string authentication (presigned URLs). The canonical request is rebuilt from the request as
 * it arrived (the path exactly as sent, S3 style: no normalisation, no double encoding), the signing key derived
 * from the principal's secret, and the signature compared in constant time. Requests signed too far from this clock,
 * for another region or service, or presigned URLs past their expiry are refused.
 *
 * <p><b>Touches key material</b>: the principals' secret access keys (HMAC keys).
 */
public final class SigV4Verifier {

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final String UNSIGNED = "UNSIGNED-PAYLOAD";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration MAX_PRESIGN = Duration.ofDays(7);

    /** What the verifier needs of a request. Header names lower case; each header's values in arrival order. */
    public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
        String header(final String name) {
            final List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final Map<String, Principal> principals;
    private final String region;
    private final Duration maxSkew;
    private final Clock clock;

    public SigV4Verifier(final Map<String, Principal> principals, final String region, final Duration maxSkew,
                         final Clock clock) {
        this.principals = Map.copyOf(principals);
        this.region = Objects.requireNonNull(region, "region");
        this.maxSkew = Objects.requireNonNull(maxSkew, "maxSkew");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The principal who signed {@code request}; throws the S3 error to answer otherwise. */
    public Principal verify(final Request request) throws S3Error {
        final String authorization = request.header("authorization");
        final Map<String, String> query = AwsUri.parseQuery(request.rawQuery());
        if (authorization != null) {
            return verifyHeader(request, authorization);
        }
        if (query.containsKey("X-Amz-Signature")) {
            return verifyPresigned(request, query);
        }
        throw S3Error.accessDenied("Anonymous access is not allowed: sign requests with AWS Signature Version 4.");
    }

    private Principal verifyHeader(final Request request, final String authorization) throws S3Error {
        if (!authorization.startsWith(ALGORITHM + " ")) {
            throw new S3Error(400, "AuthorizationHeaderMalformed", "Only " + ALGORITHM + " (Signature Version 4) is "
                    + "supported.");
        }
        final Map<String, String> parts = new java.util.HashMap<>();
        for (final String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            final int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        final String credential = parts.get("Credential");
        final String signedHeaders = parts.get("SignedHeaders");
        final String signature = parts.get("Signature");
        if (credential == null || signedHeaders == null || signature == null) {
            throw new S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.");
        }
        final String amzDate = request.header("x-amz-date") != null ? request.header("x-amz-date") : null;
        if (amzDate == null) {
            throw accessDenied("AWS authentication requires a valid x-amz-date header.");
        }
        final Instant signedAt = parseDate(amzDate);
        checkSkew(signedAt);
        final String payloadHash = request.header("x-amz-content-sha256");
        if (payloadHash == null) {
            throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
        }
        final List<String> signed = List.of(signedHeaders.split(";"));
        if (!signed.contains("host")) {
            throw accessDenied("The host header must be signed.");
        }
        final Scope scope = Scope.parse(credential, amzDate, region);
        final String canonical = canonicalRequest(request, AwsUri.parseQuery(request.rawQuery()), signed, payloadHash);
        return check(scope, amzDate, canonical, signature);
    }

    private Principal verifyPresigned(final Request request, final Map<String, String> query) throws S3Error {
        if (!ALGORITHM.equals(query.get("X-Amz-Algorithm"))) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be " + ALGORITHM + ".");
        }
        final String amzDate = query.get("X-Amz-Date");
        final String credential = query.get("X-Amz-Credential");
        final String signedHeaders = query.get("X-Amz-SignedHeaders");
        final String expires = query.get("X-Amz-Expires");
        if (amzDate == null || credential == null || signedHeaders == null || expires == null) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "Query-string authentication requires "
                    + "X-Amz-Date, X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Expires.");
        }
        final Instant signedAt = parseDate(amzDate);
        final long seconds;
        try {
            seconds = Long.parseLong(expires);
        } catch (final NumberFormatException e) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds.");
        }
        if (seconds < 1 || seconds > MAX_PRESIGN.toSeconds()) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and "
                    + MAX_PRESIGN.toSeconds() + " seconds.");
        }
        final Instant now = clock.instant();
        if (signedAt.isAfter(now.plus(maxSkew))) {
            throw accessDenied("Request is not yet valid.");
        }
        if (now.isAfter(signedAt.plusSeconds(seconds))) {
            throw accessDenied("Request has expired.");
        }
        final Map<String, String> withoutSignature = new java.util.TreeMap<>(query);
        final String signature = withoutSignature.remove("X-Amz-Signature");
        final List<String> signed = List.of(signedHeaders.split(";"));
        if (!signed.contains("host")) {
            throw accessDenied("The host header must be signed.");
        }
        final Scope scope = Scope.parse(credential, amzDate, region);
        final String payload = request.header("x-amz-content-sha256") != null ? request.header("x-amz-content-sha256")
                : UNSIGNED;
        return check(scope, amzDate, canonicalRequest(request, withoutSignature, signed, payload), signature);
    }

    private Principal check(final Scope scope, final String amzDate, final String canonicalRequest,
                            final String signature) throws S3Error {
        final Principal principal = principals.get(scope.accessKeyId());
        if (principal == null) {
            throw new S3Error(403, "InvalidAccessKeyId", "The AWS access key Id you provided does not exist in our records.");
        }
        final String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope.text() + "\n" + hex(sha256(canonicalRequest));
        final byte[] expected = hmac(signingKey(principal.secretAccessKey(), scope), stringToSign);
        final byte[] given;
        try {
            given = HexFormat.of().parseHex(signature.toLowerCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw S3Error.signatureDoesNotMatch();
        }
        if (!MessageDigest.isEqual(expected, given)) {
            throw S3Error.signatureDoesNotMatch();
        }
        return principal;
    }

    /** {@code <access key>/<date>/<region>/s3/aws4_request}, checked against the signing time and this region. */
    private record Scope(String accessKeyId, String date, String region) {
        static Scope parse(final String credential, final String amzDate, final String expectedRegion) throws S3Error {
            final String[] p = credential.split("/");
            if (p.length != 5 || !p[3].equals("s3") || !p[4].equals("aws4_request")) {
                throw new S3Error(400, "AuthorizationHeaderMalformed", "The credential must be "
                        + "<access key>/<date>/<region>/s3/aws4_request.");
            }
            if (!amzDate.startsWith(p[1])) {
                throw new S3Error(400, "AuthorizationHeaderMalformed", "The credential's date does not match the "
                        + "signing time.");
            }
            if (!p[2].equals(expectedRegion)) {
                throw new S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the "
                        + "region '" + p[2] + "' is wrong; expecting '" + expectedRegion + "'");
            }
            return new Scope(p[0], p[1], p[2]);
        }

        String text() {
            return date + "/" + region + "/s3/aws4_request";
        }
    }

    static String canonicalRequest(final Request request, final Map<String, String> query, final List<String> signed,
                                   final String payloadHash) throws S3Error {
        final StringBuilder headers = new StringBuilder();
        for (final String name : signed) {
            final List<String> values = request.headers().get(name);
            if (values == null) {
                throw accessDenied("A signed header is missing from the request: " + name);
            }
            final List<String> trimmed = new ArrayList<>(values.size());
            for (final String v : values) {
                trimmed.add(v.strip().replaceAll(" +", " "));
            }
            headers.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        return request.method() + "\n" + request.rawPath() + "\n" + AwsUri.canonicalQuery(query) + "\n" + headers
                + "\n" + String.join(";", signed) + "\n" + payloadHash;
    }

    private void checkSkew(final Instant signedAt) throws S3Error {
        if (Duration.between(signedAt, clock.instant()).abs().compareTo(maxSkew) > 0) {
            throw new S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the "
                    + "server's time is too large.");
        }
    }

    private static Instant parseDate(final String amzDate) throws S3Error {
        try {
            return Instant.from(AMZ_DATE.parse(amzDate));
        } catch (final DateTimeParseException e) {
            throw accessDenied("The signing time is not in yyyyMMdd'T'HHmmss'Z' form.");
        }
    }

    private static S3Error accessDenied(final String message) {
        return S3Error.accessDenied(message);
    }

    private static byte[] signingKey(final String secret, final Scope scope) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope.date());
        k = hmac(k, scope.region());
        k = hmac(k, "s3");
        return hmac(k, "aws4_request");
    }

    private static byte[] hmac(final byte[] key, final String data) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(final String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String hex(final byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
