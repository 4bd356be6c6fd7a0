package io.sealstream.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Picks the plain Kafka client settings (bootstrap, security) out of the application's mixed properties. */
public final class ClientConfigs {

    private ClientConfigs() {
    }

    public static Map<String, Object> producer(final Map<String, String> config) {
        return pick(config, ProducerConfig.configNames(), "producer.");
    }

    public static Map<String, Object> consumer(final Map<String, String> config) {
        final Map<String, Object> out = pick(config, ConsumerConfig.configNames(), "consumer.");
        // A reader of its own, never a member of the application's group.
        out.remove(ConsumerConfig.GROUP_ID_CONFIG);
        out.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return out;
    }

    public static Map<String, Object> admin(final Map<String, String> config) {
        return pick(config, AdminClientConfig.configNames(), "admin.");
    }

    private static Map<String, Object> pick(final Map<String, String> config, final Set<String> names, final String prefix) {
        final Map<String, Object> out = new HashMap<>();
        config.forEach((k, v) -> {
            if (names.contains(k) && !k.equals("client.id") && !k.equals("transactional.id")) {
                out.put(k, v);
            }
        });
        config.forEach((k, v) -> {
            if (k.startsWith(prefix) && names.contains(k.substring(prefix.length()))) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
