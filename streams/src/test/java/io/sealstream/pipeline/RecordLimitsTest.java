package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dead-letter limits start-up checks against what the producer and the topics accept. */
class RecordLimitsTest {

    @Test
    void theDefaultsFitKafkasDefaultRequestSizeWithRoomToSpare() {
        final RecordLimits limits = RecordLimits.defaults();
        assertThat(limits.largestDeadLetterBytes()).isLessThan(RecordLimits.KAFKA_DEFAULT_MAX_REQUEST_SIZE / 2);
        limits.requireFits(RecordLimits.KAFKA_DEFAULT_MAX_REQUEST_SIZE, "max.request.size");
    }

    @Test
    void limitsThatCouldExceedTheProducerOrATopicAreRefusedWithTheKeysToChange() {
        final RecordLimits large = RecordLimits.fromConfig(Map.of("sealstream.dlq.max-value-bytes", "1MiB"));
        assertThatThrownBy(() -> large.requireDeadLettersFit(RecordLimits.KAFKA_DEFAULT_MAX_REQUEST_SIZE,
                "the producer's max.request.size"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sealstream.dlq.max-value-bytes")
                .hasMessageContaining("the producer's max.request.size allows 1048576");
        // The same limits fit a producer and topic raised to 2 MiB.
        large.requireFits(2L * 1024 * 1024, "2 MiB");

        assertThatThrownBy(() -> RecordLimits.defaults().requireAuditEventsFit(64 * 1024,
                "topic sealstream.audit's max.message.bytes"))
                .hasMessageContaining("sealstream.audit.max-event-bytes");
        assertThatThrownBy(() -> RecordLimits.fromConfig(Map.of("sealstream.dlq.max-key-bytes", "8")))
                .hasMessageStartingWith("sealstream.dlq.max-key-bytes: must be at least 16B");
    }
}
