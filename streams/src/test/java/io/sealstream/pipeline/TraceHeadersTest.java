package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private static Headers headers() {
        final RecordHeaders h = new RecordHeaders();
        h.add("traceparent", "old".getBytes(StandardCharsets.UTF_8));
        h.add("traceparent", "new".getBytes(StandardCharsets.UTF_8));
        h.add("x-request-id", "r-1".getBytes(StandardCharsets.UTF_8));
        h.add("baggage", null);
        return h;
    }

    @Test
    void byDefaultW3cTraceContextAndBaggageTravelAndARepeatedHeaderKeepsItsLastValue() {
        final Headers carried = TraceHeaders.fromConfig(Map.of()).carried(headers());
        assertThat(carried.toArray()).hasSize(1);
        assertThat(new String(carried.lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo("new");
    }

    @Test
    void anOperatorNamesWhichHeadersTravelOrNone() {
        final Headers named = TraceHeaders.fromConfig(Map.of("sealstream.trace.headers", "x-request-id"))
                .carried(headers());
        assertThat(named.toArray()).hasSize(1);
        assertThat(named.lastHeader("x-request-id").value()).isEqualTo("r-1".getBytes(StandardCharsets.UTF_8));
        assertThat(TraceHeaders.fromConfig(Map.of("sealstream.trace.headers", "none")).carried(headers()).toArray())
                .isEmpty();
    }

    @Test
    void theCarriedHeadersAreACopyTheCallerCanNotChangeThroughTheOriginal() {
        final Headers original = headers();
        final Headers carried = TraceHeaders.fromConfig(Map.of()).carried(original);
        original.lastHeader("traceparent").value()[0] = 'X';
        assertThat(new String(carried.lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo("new");
    }
}
