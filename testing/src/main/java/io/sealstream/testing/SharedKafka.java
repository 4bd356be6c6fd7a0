package io.sealstream.testing;

import io.sealstream.stack.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real KRaft broker per test JVM (Kafka's own cluster test kit, the same one {@code sealstream demo} runs on),
 * started on first use and stopped when the JVM exits. Tests isolate themselves by topic prefix or application id.
 */
public final class SharedKafka {

    private static EmbeddedKafka kafka;

    private SharedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (kafka == null) {
            try {
                final Path dir = Files.createTempDirectory("sealstream-it-kafka");
                kafka = EmbeddedKafka.start(dir);
            } catch (final IOException e) {
                throw new IllegalStateException("cannot create the broker's directory", e);
            } catch (final Exception e) {
                throw new IllegalStateException("cannot start the test broker: " + e.getMessage(), e);
            }
            final EmbeddedKafka started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (final Exception ignored) {
                    // JVM exit: nothing left to protect.
                }
            }, "shared-kafka-stop"));
        }
        return kafka.bootstrapServers();
    }
}
