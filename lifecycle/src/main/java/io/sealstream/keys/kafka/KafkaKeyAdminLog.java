package io.sealstream.keys.kafka;

import io.sealstream.keys.LifecycleConfigKeys;

import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.events.RotationEvent;
import io.sealstream.keys.KeyAdminLog;
import io.sealstream.keys.KeyTopics;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link KeyAdminLog} on Kafka: one transactional producer writing registry entries, rotation events, audit events
 * (to the audit chainer's input) and job checkpoints. Its transactional id ({@code sealstream.lifecycle.admin-transactional-id},
 * default {@code <application.id>-key-admin}) is shared by every lifecycle tool, so starting one fences any other
 * still running and aborts its open step: lifecycle steps never interleave.
 */
public final class KafkaKeyAdminLog implements KeyAdminLog {

    /** Appended to {@code application.id}: one lifecycle writer per sealstream deployment, not per cluster. */
    public static final String DEFAULT_TRANSACTIONAL_ID_SUFFIX = "key-admin";

    private final Map<String, Object> producerProps;
    private final Serializer<SpecificRecord> values;
    private KafkaProducer<String, SpecificRecord> producer;
    private final KeyTopics topics;
    private final String rotationTopic;
    private final String auditTopic;
    private final KafkaTopicReader<RewrapJobState> jobReader;
    private final KafkaTopicReader<RewrapJob> commandReader;
    private final Map<String, RewrapJobState> jobStates = new LinkedHashMap<>();
    private final Map<String, RewrapJob> submitted = new LinkedHashMap<>();
    private boolean open;

    /**
     * @param auditTopic where audit events go: the chainer's input topic, never the chained audit topic itself
     */
    public KafkaKeyAdminLog(final Map<String, String> config, final KeyTopics topics, final String rotationTopic,
                            final String auditTopic, final String clientId) {
        this.topics = topics;
        this.rotationTopic = rotationTopic;
        this.auditTopic = auditTopic;
        final Map<String, Object> props = ClientConfigs.producer(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Optional.ofNullable(
                LifecycleConfigKeys.ADMIN_TRANSACTIONAL_ID.get(config)).orElseGet(() ->
                config.getOrDefault("application.id", "sealstream") + "-" + DEFAULT_TRANSACTIONAL_ID_SUFFIX));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        final SpecificAvroSerde<SpecificRecord> serde = new SpecificAvroSerde<>();
        serde.configure(config, false);
        this.values = serde.serializer();
        this.producerProps = props;
        this.jobReader = new KafkaTopicReader<>(config, topics.jobs(), RewrapJobState.class, clientId + "-jobs");
        this.commandReader = new KafkaTopicReader<>(config, topics.commands(), RewrapJob.class, clientId + "-commands");
    }

    /**
     * The transactional producer, created on first use: its {@code initTransactions} fences any other lifecycle tool
     * holding the id and aborts its open step, so reading job state alone never disturbs a running tool.
     */
    private KafkaProducer<String, SpecificRecord> writer() {
        if (producer == null) {
            final KafkaProducer<String, SpecificRecord> created =
                    new KafkaProducer<>(producerProps, new StringSerializer(), values);
            try {
                created.initTransactions();
            } catch (final RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    /** Closes the transactional producer (if any), letting another lifecycle tool take the id without fencing us. */
    public synchronized void releaseWriter() {
        if (producer != null && !open) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    @Override
    public synchronized void acquire() {
        try {
            writer();
        } catch (final ProducerFencedException e) {
            throw new IllegalStateException("another key-lifecycle tool started and took over", e);
        }
    }

    @Override
    public synchronized Transaction begin() {
        if (open) {
            throw new IllegalStateException("a key-lifecycle step is already open");
        }
        try {
            writer().beginTransaction();
        } catch (final org.apache.kafka.common.errors.ProducerFencedException e) {
            if (producer != null) {
                producer.close(Duration.ZERO);
                producer = null;
            }
            throw new IllegalStateException("another key-lifecycle tool started and took over", e);
        }
        open = true;
        return new KafkaTransaction();
    }

    @Override
    public synchronized Optional<RewrapJobState> jobState(final String jobId) {
        jobReader.catchUp(this::applyState);
        return Optional.ofNullable(jobStates.get(jobId));
    }

    private void applyState(final String key, final RewrapJobState state) {
        if (key != null && state != null) {
            jobStates.put(key, state);
        }
    }

    @Override
    public synchronized List<RewrapJob> pendingJobs() {
        jobReader.catchUp(this::applyState);
        commandReader.catchUp((key, job) -> {
            if (job != null) {
                submitted.putIfAbsent(job.getJobId(), job);
            }
        });
        final List<RewrapJob> pending = new ArrayList<>();
        for (final RewrapJob job : submitted.values()) {
            final RewrapJobState state = jobStates.get(job.getJobId());
            // Not started yet, or interrupted while running. A FAILED job waits for an operator to run it again
            // (rerunning it here on every poll would fence the operator's tools and repeat the same failures).
            if (state == null || state.getStatus() == RewrapJobStatus.RUNNING
                    || state.getStatus() == RewrapJobStatus.SUBMITTED) {
                pending.add(job);
            }
        }
        return pending;
    }

    /** A plain idempotent send: submitting must not fence the lifecycle tool that may be running. */
    @Override
    public void submit(final RewrapJob job) {
        final Map<String, Object> props = new java.util.HashMap<>(producerProps);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, producerProps.get(ProducerConfig.CLIENT_ID_CONFIG) + "-submit");
        try (KafkaProducer<String, SpecificRecord> plain = new KafkaProducer<>(props, new StringSerializer(), values)) {
            plain.send(new ProducerRecord<>(topics.commands(), job.getJobId(), job)).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while submitting job " + job.getJobId(), e);
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot submit job " + job.getJobId() + " to " + topics.commands() + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        jobReader.close();
        commandReader.close();
    }

    private final class KafkaTransaction implements Transaction {
        private boolean done;

        void send(final String topic, final String key, final SpecificRecord value) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }

        @Override
        public void putDek(final DataKeyRecord entry) {
            send(topics.deks(), KafkaDekRegistry.ENTRY_PREFIX + entry.getDekId(), entry);
        }

        @Override
        public void rotation(final RotationEvent event) {
            send(rotationTopic, event.getDekId() != null ? event.getDekId()
                    : event.getKek() != null ? event.getKek().getKeyId() : event.getJobId(), event);
        }

        @Override
        public void audit(final AuditEvent event) {
            send(auditTopic, event.getDekId() != null ? event.getDekId() : event.getAuditId(), event);
        }

        @Override
        public void checkpoint(final RewrapJobState state) {
            send(topics.jobs(), state.getJob().getJobId(), state);
        }

        @Override
        public void commit() {
            try {
                producer.commitTransaction();
            } catch (final ProducerFencedException e) {
                producer.close(Duration.ZERO);
                producer = null;
                throw new IllegalStateException("another key-lifecycle tool started and took over; this step was not committed", e);
            } finally {
                done = true;
                synchronized (KafkaKeyAdminLog.this) {
                    open = false;
                }
            }
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                try {
                    if (producer != null) {
                        producer.abortTransaction();
                    }
                } catch (final RuntimeException fencedOrBroken) {
                    // fenced: the broker aborted it already; otherwise the producer is unusable: start afresh
                    if (producer != null) {
                        producer.close(Duration.ZERO);
                        producer = null;
                    }
                } finally {
                    synchronized (KafkaKeyAdminLog.this) {
                        open = false;
                    }
                }
            }
        }
    }
}
