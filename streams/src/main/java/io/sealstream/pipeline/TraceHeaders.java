package io.sealstream.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Which headers of an upload record travel onto the records it causes ({@code sealstream.trace.headers}): its
 * {@code ObjectEncrypted}, its audit events (pending, then chained) and, like every header, its dead letter. With
 * W3C Trace Context's {@code traceparent} among them, a tracing backend links the upload's producer to everything
 * sealstream wrote for it.
 *
 * <p>Only named headers are carried and each at most {@link #MAX_VALUE_BYTES}: header values are chosen by whoever
 * may produce uploads, and the records they land on must stay within their topics' limits. A repeated header keeps its
 * last value (Kafka's {@code lastHeader}), as a tracer reads it.
 */
public final class TraceHeaders {

    public static final List<String> DEFAULT_NAMES = List.of("traceparent", "tracestate", "baggage");
    /** W3C Baggage allows 8,192 bytes; tracestate 512 and traceparent 55. */
    public static final int MAX_VALUE_BYTES = 8192;

    private static final TraceHeaders NONE = new TraceHeaders(Set.of());

    private final Set<String> names;

    private TraceHeaders(final Set<String> names) {
        this.names = Set.copyOf(names);
    }

    /** {@code names} carried; the single name {@code none} carries nothing, no name the defaults. */
    public static TraceHeaders of(final List<String> names) {
        if (names.isEmpty()) {
            return new TraceHeaders(new TreeSet<>(DEFAULT_NAMES));
        }
        if (names.size() == 1 && "none".equals(names.get(0))) {
            return NONE;
        }
        return new TraceHeaders(new TreeSet<>(names));
    }

    public static TraceHeaders fromConfig(final Map<String, ?> config) {
        return of(PipelineConfigKeys.TRACE_HEADERS.get(config));
    }

    public Set<String> names() {
        return names;
    }

    /** The headers of {@code from} to carry: a new, independent set (empty when there is nothing to carry). */
    public Headers carried(final Headers from) {
        final RecordHeaders carried = new RecordHeaders();
        if (names.isEmpty() || from == null) {
            return carried;
        }
        for (final String name : names) {
            final Header last = from.lastHeader(name);
            if (last != null && last.value() != null && last.value().length <= MAX_VALUE_BYTES) {
                carried.add(name, last.value().clone());
            }
        }
        return carried;
    }
}
