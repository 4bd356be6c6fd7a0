package io.sealstream.kms.hadoop;

import io.sealstream.kms.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the {@code hadoop-kms} provider ({@link HadoopKms}). Properties ({@link #fromProperties}), all under
 * {@value #PREFIX}:
 * <ul>
 *   <li>{@code url}: the KMS server's root, {@code http://host:9600} or {@code https://...} (a trailing {@code /kms}
 *       or {@code /kms/v1} is accepted); required;</li>
 *   <li>{@code user}: the user named in Hadoop's simple authentication ({@code ?user.name=}), which the server's
 *       ACLs ({@code kms-acls.xml}) authorise; default the operating-system user running the process;</li>
 *   <li>{@code connect-timeout} (default 5s) and {@code request-timeout} (default 10s; the app's dependency monitor reports a stalled call after 5 s either way).</li>
 * </ul>
 * An {@code Authorization} header value (for a proxy in front of the KMS that authenticates requests) may come from
 * {@value HadoopKms#AUTHORIZATION_ENV}; it is never read from the properties nor printed. Kerberos (SPNEGO) and Hadoop
 * delegation tokens are not implemented.
 *
 * @param url            the server root, normalised to end without a slash and without {@code /kms}
 * @param user           the simple-authentication user, or null to send none (only with an authorization header)
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout timeout of each request
 * @param authorization  an {@code Authorization} header value, or null (redacted in {@link #toString()})
 */
public record HadoopKmsConfig(URI url, String user, Duration connectTimeout, Duration requestTimeout,
                              String authorization) {

    public static final String PREFIX = "sealstream.kms.hadoop-kms.";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> KEYS = Set.of("url", "user", "connect-timeout", "request-timeout");

    public HadoopKmsConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        url = normalise(url);
        if (user != null && (user.isBlank() || user.chars().anyMatch(c -> Character.isISOControl(c) || c == ' '))) {
            throw new IllegalArgumentException(PREFIX + "user: must be a non-empty name without spaces");
        }
        if (user == null && authorization == null) {
            throw new IllegalArgumentException(PREFIX + "user: required (Hadoop KMS simple authentication)");
        }
        if (authorization != null && (authorization.isBlank() || authorization.chars().anyMatch(c -> c == '\r' || c == '\n'))) {
            throw new IllegalArgumentException(HadoopKms.AUTHORIZATION_ENV + " must be one non-empty line");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + "connect-timeout and request-timeout must be positive");
        }
    }

    /** {@code url} with simple authentication as {@code user} and the default timeouts. */
    public static HadoopKmsConfig of(final URI url, final String user) {
        return new HadoopKmsConfig(url, user, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, null);
    }

    /** Reads the {@value #PREFIX}{@code *} properties; the optional authorization header from {@code environment}. */
    public static HadoopKmsConfig fromProperties(final Map<String, String> config, final Map<String, String> environment) {
        ProviderSettings.rejectUnknownKeys(config, PREFIX, KEYS);
        final String url = ProviderSettings.optional(config, PREFIX + "url");
        if (url == null) {
            throw new IllegalArgumentException("sealstream.kms.provider=hadoop-kms needs " + PREFIX
                    + "url (e.g. http://kms.example:9600)");
        }
        final URI uri;
        try {
            uri = new URI(url);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "url: not a URL: '" + ProviderSettings.oneLine(url) + "'");
        }
        final String authorization = environment.get(HadoopKms.AUTHORIZATION_ENV);
        final String configuredUser = ProviderSettings.optional(config, PREFIX + "user");
        final String user = configuredUser != null ? configuredUser : System.getProperty("user.name");
        return new HadoopKmsConfig(uri, user,
                ProviderSettings.duration(config, PREFIX + "connect-timeout", DEFAULT_CONNECT_TIMEOUT),
                ProviderSettings.duration(config, PREFIX + "request-timeout", DEFAULT_REQUEST_TIMEOUT),
                authorization == null || authorization.isBlank() ? null : authorization);
    }

    private static URI normalise(final URI url) {
        final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "url: must be http://host:port or https://host:port, not '"
                    + ProviderSettings.oneLine(url.toString()) + "'");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(PREFIX + "url: must not carry a query, fragment or user info");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/kms/v1")) {
            path = path.substring(0, path.length() - "/kms/v1".length());
        } else if (path.endsWith("/kms")) {
            path = path.substring(0, path.length() - "/kms".length());
        }
        return URI.create(scheme + "://" + url.getRawAuthority() + path);
    }

    /** Opens the provider (no request is made until the first call). */
    public HadoopKms open() {
        return HadoopKms.open(this);
    }

    @Override
    public String toString() {
        return "HadoopKmsConfig[url=" + url + ", user=" + user + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + (authorization != null ? ", authorization=<redacted>" : "") + "]";
    }
}
