package io.sealstream.staging;

import io.sealstream.audit.AuditLog;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's staging cleaner: a consumer of the objects topic ({@code isolation.level=read_committed}, group
 * {@code <application.id>-staging-cleaner}) that hands each committed {@code ObjectEncrypted} to a
 * {@link StagingCleaner} and commits its offset only after the staging object was handled, so a crash anywhere
 * leaves the record to be handled again (idempotently) and never skips one. Store or audit outages are waited out,
 * retrying the same record (back-pressure, not loss). A group without offsets starts from the earliest record: the
 * first start (or a switch from {@code keep} to {@code delete}) cleans up everything retained. Once caught up after a
 * start, it reports the staging objects older than {@code sealstream.staging.reconcile-age} that are still there.
 */
public final class StagingCleanupService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagingCleanupService.class);
    private static final int REPORT_FIRST = 10;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroSerde<ObjectEncrypted> serde;
    private final StagingCleaner cleaner;
    private final ObjectStore store;
    private final String topic;
    private final List<String> stagingBuckets;
    private final Duration reconcileAge;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<StagingCleaner.Outcome, Long> counts = new EnumMap<>(StagingCleaner.Outcome.class);
    private final Thread thread;
    private volatile long reportedStale = -1;

    private StagingCleanupService(final Map<String, String> settings, final StagingCleaner cleaner, final ObjectStore store,
                                  final List<String> stagingBuckets, final Duration reconcileAge, final Clock clock) {
        final PipelineConfig pipeline = PipelineConfig.fromConfig(settings);
        final Map<String, Object> props = ClientConfigs.consumer(settings);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, pipeline.applicationId() + "-staging-cleaner");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, pipeline.applicationId() + "-staging-cleaner-" + pipeline.instanceId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.serde = new SpecificAvroSerde<>(ObjectEncrypted.class);
        serde.configure(settings, false);
        this.cleaner = cleaner;
        this.store = store;
        this.topic = pipeline.topics().objects();
        this.stagingBuckets = List.copyOf(stagingBuckets);
        this.reconcileAge = reconcileAge;
        this.clock = clock;
        this.thread = new Thread(this::run, "sealstream-staging-cleaner");
        thread.setDaemon(true);
    }

    /** Starts the cleaner on a thread of its own. */
    public static StagingCleanupService start(final Map<String, String> settings, final StagingCleaner cleaner,
                                              final ObjectStore store, final List<String> stagingBuckets,
                                              final Duration reconcileAge, final Clock clock) {
        final StagingCleanupService service = new StagingCleanupService(settings, cleaner, store, stagingBuckets,
                reconcileAge, clock);
        service.thread.start();
        return service;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, Long> catchUp = null;
            while (running.get()) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (final ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                    if (!running.get()) {
                        return; // not committed: handled again next time, idempotently
                    }
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                if (reportedStale < 0 && !consumer.assignment().isEmpty()) {
                    if (catchUp == null) {
                        catchUp = consumer.endOffsets(consumer.assignment());
                    }
                    if (caughtUp(catchUp)) {
                        reportStale();
                    }
                }
            }
        } catch (final WakeupException closing) {
            // close() woke the poll
        } catch (final RuntimeException e) {
            LOG.error("the staging cleaner stopped: {}; staged plaintext is no longer being removed", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean caughtUp(final Map<TopicPartition, Long> ends) {
        for (final Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.assignment().contains(e.getKey()) && consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Handles one record, retrying until it is done or the service closes: a record is never skipped for an outage. */
    private void handle(final ConsumerRecord<byte[], byte[]> record) {
        final ObjectEncrypted event;
        try {
            event = serde.deserializer().deserialize(record.topic(), record.headers(), record.value());
        } catch (final RuntimeException e) {
            LOG.warn("staging cleaner: {}-{}@{} is not an ObjectEncrypted ({}); skipped", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (event == null) {
            return;
        }
        long backoff = 200;
        while (running.get()) {
            try {
                final StagingCleaner.Outcome outcome = cleaner.clean(event);
                synchronized (this) {
                    counts.merge(outcome, 1L, Long::sum);
                }
                if (outcome == StagingCleaner.Outcome.KEPT_UNSAFE) {
                    LOG.warn("staging object {} of upload {} kept: its ciphertext at {} is not this upload's, or the "
                            + "staging object changed after it was encrypted", event.getStagingLocation(),
                            event.getEventId(), event.getDestination());
                }
                return;
            } catch (final UnsupportedOperationException e) {
                LOG.error("the staging cleaner stops: {} (sealstream.staging.cleanup=tag needs a store with object "
                        + "tagging); staged plaintext is no longer being removed", e.getMessage());
                running.set(false);
                return;
            } catch (final ObjectStoreUnavailableException | IllegalStateException e) {
                LOG.warn("staging cleaner waiting {} ms for the store or the audit log: {}", backoff, e.getMessage());
            } catch (final IOException | RuntimeException e) {
                LOG.warn("staging cleaner: upload {} failed ({}); retrying in {} ms", event.getEventId(), e.toString(),
                        backoff);
            }
            try {
                Thread.sleep(backoff);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, 30_000);
        }
    }

    /** Lists the staging buckets and reports what is older than the reconcile age and still there. */
    private void reportStale() {
        final Instant before = clock.instant().minus(reconcileAge);
        long stale = 0;
        final List<String> first = new ArrayList<>();
        try {
            for (final String bucket : stagingBuckets) {
                String after = null;
                while (true) {
                    final List<String> keys = store.list(bucket, "", after, 1000);
                    for (final String key : keys) {
                        final Optional<StoredObject> o = store.head(new ObjectLocation(bucket, key));
                        if (o.isPresent() && o.get().lastModified().isBefore(before)) {
                            stale++;
                            if (first.size() < REPORT_FIRST) {
                                first.add(new ObjectLocation(bucket, key).toUri());
                            }
                        }
                    }
                    if (keys.size() < 1000) {
                        break;
                    }
                    after = keys.get(keys.size() - 1);
                }
            }
        } catch (final IOException | RuntimeException e) {
            LOG.warn("staging reconcile could not list the staging buckets: {}", e.getMessage());
            return;
        }
        reportedStale = stale;
        if (stale > 0) {
            LOG.warn("staging reconcile: {} staging object(s) older than {} are still there with no committed "
                    + "ciphertext to clean them up after (never announced, dead-lettered, kept, or rewritten); first: {}",
                    stale, reconcileAge, first);
        } else {
            LOG.info("staging reconcile: caught up; no staging object older than {} is left", reconcileAge);
        }
    }

    /** How many records led to each outcome so far (for tests and the operations endpoint). */
    public synchronized Map<StagingCleaner.Outcome, Long> counts() {
        return Map.copyOf(counts);
    }

    /** The stale staging objects the start-up reconcile found, or -1 before it ran. */
    public long reportedStale() {
        return reportedStale;
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
