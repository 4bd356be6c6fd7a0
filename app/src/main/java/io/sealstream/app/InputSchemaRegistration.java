package io.sealstream.app;

import io.sealstream.config.ConfigKey;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.serde.SchemaRegistryClient;
import io.sealstream.serde.SchemaRegistryClients;
import io.sealstream.serde.SchemaRegistrySerdeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the input's schema, {@code ObjectUploaded}, under the uploads topic's value subject
 * ({@code sealstream.uploads-value} with Confluent's default TopicNameStrategy), so producers in any language can
 * look it up by subject: Confluent's serializers with {@code use.latest.version=true}, or a client that cannot
 * register a union of records itself (Confluent's JavaScript serializer). Registering the same schema again returns its
 * id, so every start may do it; a registry whose compatibility rules refuse it is reported once, never fatal.
 *
 * <p>Off the start-up path: the pipeline comes up and waits for a registry that is down (back-pressure), and so does
 * this, retrying every 10 s until it has registered.
 */
public final class InputSchemaRegistration implements AutoCloseable {

    static final ConfigKey<Boolean> REGISTER = ConfigKey.bool("sealstream.schema.register-input", true,
            "Whether `run` registers the input schema (ObjectUploaded) under the uploads topic's value subject, so "
                    + "producers in other languages find it by subject.");

    private static final Logger LOG = LoggerFactory.getLogger(InputSchemaRegistration.class);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(10);

    private final ScheduledExecutorService thread;

    private InputSchemaRegistration(final Map<String, ?> settings, final String uploadsTopic) {
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "sealstream-input-schema");
            t.setDaemon(true);
            return t;
        });
        final Runnable attempt = new Runnable() {
            @Override
            public void run() {
                if (!registerOnce(settings, uploadsTopic)) {
                    thread.schedule(this, RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        };
        thread.execute(attempt);
    }

    /** Starts registering, unless {@code sealstream.schema.register-input=false}. */
    static AutoCloseable start(final Map<String, ?> settings, final String uploadsTopic) {
        return REGISTER.get(settings) ? new InputSchemaRegistration(settings, uploadsTopic) : () -> { };
    }

    /** Registers ObjectUploaded under the uploads topic's value subject and returns its schema id. */
    public static int register(final Map<String, ?> settings, final String uploadsTopic) {
        final SchemaRegistrySerdeConfig config = new SchemaRegistrySerdeConfig(settings);
        final String subject = config.subjectNameStrategy(false).subject(uploadsTopic, false,
                ObjectUploaded.getClassSchema());
        try (SchemaRegistryClient client = SchemaRegistryClients.create(settings)) {
            final int id = client.register(subject, ObjectUploaded.getClassSchema());
            LOG.info("input schema ObjectUploaded is id {} under subject {}", id, subject);
            return id;
        }
    }

    /** One attempt: true when done (registered, or refused for good), false to try again later. */
    private static boolean registerOnce(final Map<String, ?> settings, final String uploadsTopic) {
        try {
            register(settings, uploadsTopic);
            return true;
        } catch (final io.sealstream.serde.SchemaRegistryUnavailableException e) {
            LOG.debug("input schema not registered yet, the registry is not answering: {}", e.getMessage());
            return false;
        } catch (final RuntimeException e) {
            LOG.warn("the input schema (ObjectUploaded) could not be registered under the uploads topic's subject; "
                    + "producers must register it themselves: {}", e.getMessage());
            return true;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
