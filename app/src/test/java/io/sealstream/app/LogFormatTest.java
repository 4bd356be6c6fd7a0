package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The runtime's logging (app/src/main/resources/logback.xml): text lines by default, and with
 * {@code SEALSTREAM_LOG_FORMAT=json} one JSON object per event per line, stack traces inside it, that a log shipper
 * can parse line by line.
 */
class LogFormatTest {

    /** What the configuration writes to stderr for two events, one with an exception, with {@code format} chosen. */
    private static String logged(final String format) throws Exception {
        final PrintStream original = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as logback's own start-up does
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            if (format != null) {
                context.putProperty("sealstream.log.format", format);
            }
            final JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            final Logger log = context.getLogger("io.sealstream.health.DependencyHealth");
            log.warn("object store (S3 store at http://127.0.0.1:9000) is not answering: {}", "no answer for 5.6 s");
            log.error("stopping: unexpected failure", new IllegalStateException("boom\nsecond line"));
            context.getLogger("io.sealstream.quiet").info("below the default level");
        } finally {
            context.stop();
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonLogsAreOneParsableObjectPerEventWithTheStackTraceInside() throws Exception {
        final List<String> lines = logged("json").lines().toList();
        assertThat(lines).hasSize(2);
        final ObjectMapper json = new ObjectMapper();
        final JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("WARN");
        assertThat(first.get("loggerName").asText()).isEqualTo("io.sealstream.health.DependencyHealth");
        assertThat(first.get("formattedMessage").asText())
                .isEqualTo("object store (S3 store at http://127.0.0.1:9000) is not answering: no answer for 5.6 s");
        assertThat(first.get("timestamp").asLong()).isPositive();
        final JsonNode second = json.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("ERROR");
        assertThat(second.get("throwable").toString()).contains("IllegalStateException").contains("boom");
    }

    @Test
    void textLogsStartWithAnIsoTimeAndKeepTheDefaultLevelWarn() throws Exception {
        final String text = logged(null);
        assertThat(text.lines().findFirst().orElseThrow())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\[[^]]+] WARN "
                        + "io\\.sealstream\\.health\\.DependencyHealth - object store .* no answer for 5\\.6 s");
        assertThat(text).contains("java.lang.IllegalStateException: boom").doesNotContain("below the default level");
    }
}
