package io.sealstream.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The pipeline's topics. Defaults: {@code sealstream.uploads} in; {@code sealstream.objects},
 * {@code sealstream.audit}, {@code sealstream.rotation} and {@code sealstream.dlq} out; and
 * {@code sealstream.audit.pending}, where every writer of audit events (the pipeline's tasks, CLI commands, jobs)
 * puts them for the chainer, the only writer of the audit topic (docs/ARCHITECTURE.md, "Audit trail"). The pending
 * topic must have as many partitions as the audit topic: pending partition p is chained into audit partition p.
 */
public record Topics(String uploads, String objects, String audit, String rotation, String deadLetters,
                     String auditPending) {

    public static final String UPLOADS = "sealstream.uploads";
    public static final String OBJECTS = "sealstream.objects";
    public static final String AUDIT = "sealstream.audit";
    public static final String ROTATION = "sealstream.rotation";
    public static final String DEAD_LETTERS = "sealstream.dlq";
    /** Suffix of the default pending topic: {@code <audit topic>.pending}. */
    public static final String PENDING_SUFFIX = ".pending";
    public static final String AUDIT_PENDING = AUDIT + PENDING_SUFFIX;
    /** Suffix of the signed-checkpoint topic: {@code <audit topic>.checkpoints}. */
    public static final String CHECKPOINTS_SUFFIX = ".checkpoints";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        for (String t : new String[] {uploads, objects, audit, rotation, deadLetters, auditPending}) {
            Objects.requireNonNull(t, "topic");
            if (!LEGAL.matcher(t).matches() || t.equals(".") || t.equals("..")) {
                throw new IllegalArgumentException("not a legal Kafka topic name: '" + t + "'");
            }
        }
        if (List.of(uploads, objects, audit, rotation, deadLetters, auditPending, audit + CHECKPOINTS_SUFFIX).stream()
                .distinct().count() != 7) {
            throw new IllegalArgumentException("the seven sealstream topics must be distinct");
        }
        if ((audit + CHECKPOINTS_SUFFIX).length() > 249) {
            throw new IllegalArgumentException("the audit topic name is too long for its checkpoint topic");
        }
    }

    /** The five named topics, with the pending topic named after the audit topic ({@code <audit>.pending}). */
    public Topics(final String uploads, final String objects, final String audit, final String rotation,
                  final String deadLetters) {
        this(uploads, objects, audit, rotation, deadLetters, audit + PENDING_SUFFIX);
    }

    public static Topics defaults() {
        return new Topics(UPLOADS, OBJECTS, AUDIT, ROTATION, DEAD_LETTERS, AUDIT_PENDING);
    }

    /**
     * Reads {@code sealstream.topic.uploads|objects|audit|rotation|dlq|audit-pending}, defaulting each; the pending
     * topic defaults to {@code <audit topic>.pending}, so a renamed audit topic brings its own pending topic.
     */
    public static Topics fromConfig(final Map<String, ?> config) {
        final String audit = PipelineConfigKeys.TOPIC_AUDIT.get(config);
        final String pending = PipelineConfigKeys.TOPIC_AUDIT_PENDING.get(config);
        return new Topics(PipelineConfigKeys.TOPIC_UPLOADS.get(config), PipelineConfigKeys.TOPIC_OBJECTS.get(config),
                audit, PipelineConfigKeys.TOPIC_ROTATION.get(config), PipelineConfigKeys.TOPIC_DLQ.get(config),
                pending != null ? pending : audit + PENDING_SUFFIX);
    }

    /** Where the chainer writes signed checkpoints of the audit partitions' heads: {@code <audit>.checkpoints}. */
    public String auditCheckpoints() {
        return audit + CHECKPOINTS_SUFFIX;
    }

    /** All seven; the first five in their historical order, then the pending and checkpoint topics. */
    public List<String> all() {
        return List.of(uploads, objects, audit, rotation, deadLetters, auditPending, auditCheckpoints());
    }
}
