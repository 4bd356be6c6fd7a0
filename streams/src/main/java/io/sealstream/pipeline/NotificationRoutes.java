package io.sealstream.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which staging bucket and key prefix belong to which tenant and logical bucket, for uploads announced by S3 event
 * notifications ({@code sealstream.notifications.route.<route>.*}). The longest matching prefix wins. Routes obey the
 * staging policy: with {@code sealstream.staging.tenant-prefix} on, a route's prefix must lie under its tenant's
 * {@code <tenant>/}, and its bucket must be a staging bucket when those are listed.
 */
public record NotificationRoutes(String topic, List<Route> routes) {

    private static final String PREFIX = "sealstream.notifications.route.";

    /** One route: objects under {@code s3://<stagingBucket>/<keyPrefix>} are {@code tenant}'s, in {@code bucket}. */
    public record Route(String name, String stagingBucket, String keyPrefix, String tenant, String bucket) {
    }

    /** Where a notified object goes. */
    public record Target(String tenant, String bucket, String objectKey) {
    }

    public NotificationRoutes {
        routes = routes.stream().sorted(Comparator.comparingInt((Route r) -> r.keyPrefix().length()).reversed()).toList();
    }

    public boolean enabled() {
        return topic != null;
    }

    /** The route for a staging object, or empty when none takes it (or the rest of its key is empty). */
    public Optional<Target> route(final String stagingBucket, final String key) {
        for (final Route r : routes) {
            if (r.stagingBucket().equals(stagingBucket) && key.startsWith(r.keyPrefix())
                    && key.length() > r.keyPrefix().length()) {
                return Optional.of(new Target(r.tenant(), r.bucket(), key.substring(r.keyPrefix().length())));
            }
        }
        return Optional.empty();
    }

    public static NotificationRoutes fromConfig(final Map<String, ?> config, final StagingPolicy staging) {
        final String topic = PipelineConfigKeys.NOTIFICATIONS_TOPIC.get(config);
        final Set<String> names = new TreeSet<>();
        for (final String key : config.keySet()) {
            if (key.startsWith(PREFIX)) {
                final String rest = key.substring(PREFIX.length());
                final int dot = rest.indexOf('.');
                if (dot <= 0 || !(PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.matches(key)
                        || PipelineConfigKeys.NOTIFICATIONS_ROUTE_TENANT.matches(key)
                        || PipelineConfigKeys.NOTIFICATIONS_ROUTE_BUCKET.matches(key))) {
                    throw new IllegalArgumentException(key + ": unknown notification route setting (expected "
                            + PREFIX + "<route>.source, .tenant or .bucket)");
                }
                names.add(rest.substring(0, dot));
            }
        }
        final List<Route> routes = new ArrayList<>();
        for (final String name : names) {
            final String source = PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.values(config)
                    .get(PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.name(name));
            final String tenant = PipelineConfigKeys.NOTIFICATIONS_ROUTE_TENANT.values(config)
                    .get(PipelineConfigKeys.NOTIFICATIONS_ROUTE_TENANT.name(name));
            final String bucket = PipelineConfigKeys.NOTIFICATIONS_ROUTE_BUCKET.values(config)
                    .get(PipelineConfigKeys.NOTIFICATIONS_ROUTE_BUCKET.name(name));
            if (source == null || tenant == null || bucket == null) {
                throw new IllegalArgumentException("notification route '" + name + "' needs .source, .tenant and .bucket");
            }
            final int slash = source.startsWith("s3://") ? source.indexOf('/', "s3://".length()) : -1;
            if (slash <= "s3://".length()) {
                throw new IllegalArgumentException(PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.name(name)
                        + ": must be s3://<bucket>/<prefix>, got '" + source + "'");
            }
            final Route at = new Route(name, source.substring("s3://".length(), slash), source.substring(slash + 1),
                    tenant, bucket);
            if (!staging.buckets().isEmpty() && !staging.buckets().contains(at.stagingBucket())) {
                throw new IllegalArgumentException(PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.name(name) + ": '"
                        + at.stagingBucket() + "' is not a staging bucket (sealstream.staging.buckets)");
            }
            if (staging.tenantPrefix() && !at.keyPrefix().startsWith(tenant + "/")) {
                throw new IllegalArgumentException(PipelineConfigKeys.NOTIFICATIONS_ROUTE_SOURCE.name(name)
                        + ": with sealstream.staging.tenant-prefix on, the prefix must start with '" + tenant + "/'");
            }
            routes.add(at);
        }
        if (topic == null && !routes.isEmpty()) {
            throw new IllegalArgumentException("notification routes are set but sealstream.notifications.topic is not");
        }
        if (topic != null && routes.isEmpty()) {
            throw new IllegalArgumentException("sealstream.notifications.topic is set but no route "
                    + "(sealstream.notifications.route.<route>.source/.tenant/.bucket) says whose objects are whose");
        }
        return new NotificationRoutes(topic, routes);
    }

    public static NotificationRoutes none() {
        return new NotificationRoutes(null, List.of());
    }
}
