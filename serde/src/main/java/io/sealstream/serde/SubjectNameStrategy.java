package io.sealstream.serde;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * How a topic and schema map to a registry subject, as Confluent's strategies of the same names. Configured with
 * {@code key.subject.name.strategy} / {@code value.subject.name.strategy}, which accept Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}), the short names ({@code TopicNameStrategy})
 * or the constant names ({@code TOPIC_NAME}).
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value} (the default). */
    TOPIC_NAME("TopicNameStrategy") {
        @Override
        public String subject(final String topic, final boolean isKey, final Schema schema) {
            return requireTopic(topic) + (isKey ? "-key" : "-value");
        }
    },
    /** The record's fully-qualified name, whatever the topic. */
    RECORD_NAME("RecordNameStrategy") {
        @Override
        public String subject(final String topic, final boolean isKey, final Schema schema) {
            return schema.getFullName();
        }
    },
    /** {@code <topic>-<fully-qualified record name>}. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy") {
        @Override
        public String subject(final String topic, final boolean isKey, final Schema schema) {
            return requireTopic(topic) + "-" + schema.getFullName();
        }
    };

    /** The package of Confluent's strategy classes. */
    public static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(final String shortName) {
        this.shortName = shortName;
    }

    /** The subject for a record with this schema on this topic. */
    public abstract String subject(String topic, boolean isKey, Schema schema);

    /** Confluent's class name, e.g. {@code io.confluent.kafka.serializers.subject.TopicNameStrategy}. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + shortName;
    }

    /** The short name, e.g. {@code TopicNameStrategy}. */
    public String shortName() {
        return shortName;
    }

    /**
     * The strategy named by a config value: a Confluent class name, a short name, a constant name, a
     * {@code SubjectNameStrategy} or a {@code Class} with one of those names.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static SubjectNameStrategy parse(final Object value) {
        if (value instanceof SubjectNameStrategy s) {
            return s;
        }
        final String text = value instanceof Class<?> c ? c.getName() : String.valueOf(value).trim();
        final String simple = text.startsWith(CONFLUENT_PACKAGE) ? text.substring(CONFLUENT_PACKAGE.length()) : text;
        for (final SubjectNameStrategy s : values()) {
            if (s.shortName.equalsIgnoreCase(simple) || s.name().equalsIgnoreCase(simple)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + text + "'; expected one of "
                + Arrays.stream(values()).map(SubjectNameStrategy::shortName).collect(Collectors.joining(", "))
                + " (optionally prefixed with " + CONFLUENT_PACKAGE + ")");
    }

    private static String requireTopic(final String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new SchemaRegistryException("A topic is required to derive the subject name");
        }
        return topic;
    }
}
