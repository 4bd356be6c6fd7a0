package io.sealstream.kms.hadoop;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The {@code hadoop-kms} provider's settings ({@value HadoopKmsConfig#PREFIX}*), declared once; read by {@link HadoopKmsConfig}. */
public final class HadoopKmsConfigKeys implements ConfigKeySet {

    private static final String P = HadoopKmsConfig.PREFIX;

    public static final ConfigKey<URI> URL = ConfigKey.url(P + "url",
                    "The KMS server's root, `http://host:9600` or `https://...` (a trailing `/kms` or `/kms/v1` is "
                            + "accepted).")
            .withDefaultText("required with this provider");

    public static final ConfigKey<String> USER = ConfigKey.string(P + "user", null,
                    "The user named in Hadoop's simple authentication (`?user.name=`), whom the server's ACLs "
                            + "(`kms-acls.xml`) authorise.")
            .require(u -> u.chars().noneMatch(c -> Character.isISOControl(c) || c == ' '), "a name without spaces")
            .withDefaultText("the operating-system user");

    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.duration(P + "connect-timeout",
            HadoopKmsConfig.DEFAULT_CONNECT_TIMEOUT, "TCP connect timeout.").positive();

    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.duration(P + "request-timeout",
            HadoopKmsConfig.DEFAULT_REQUEST_TIMEOUT, "Timeout of each request.").positive();

    @Override
    public String title() {
        return "KMS provider: hadoop-kms";
    }

    @Override
    public String module() {
        return "sealstream-kms-hadoop";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=hadoop-kms` (docs/kms/hadoop-kms.md). An `Authorization` header for a "
                + "proxy in front of the KMS may come from `" + HadoopKms.AUTHORIZATION_ENV
                + "`; Kerberos is not implemented.";
    }

    @Override
    public int order() {
        return 43;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(URL, USER, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }
}
