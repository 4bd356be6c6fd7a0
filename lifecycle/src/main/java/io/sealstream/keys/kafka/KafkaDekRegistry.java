package io.sealstream.keys.kafka;

import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.DataKeyState;
import io.sealstream.keys.DekRecords;
import io.sealstream.keys.DekRegistry;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEK registry on a compacted topic. Record keys: {@code dek:<id>} holds the entry (written at creation, then by
 * re-wrap and shred steps), {@code retired:<id>} the pipeline's retirement marker. Two keys, so that compaction keeps
 * both and a late retirement never replaces a re-wrapped entry with an older wrapped key.
 */
public final class KafkaDekRegistry implements DekRegistry {

    public static final String ENTRY_PREFIX = "dek:";
    public static final String RETIRED_PREFIX = "retired:";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDekRegistry.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final String topic;
    private final KafkaProducer<String, DataKeyRecord> producer;
    private final KafkaTopicReader<DataKeyRecord> reader;
    private final ConcurrentHashMap<String, DataKeyRecord> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DataKeyRecord> retired = new ConcurrentHashMap<>();
    private volatile Consumer<DataKeyRecord> onShredded = e -> { };

    public KafkaDekRegistry(final Map<String, String> config, final String topic, final String clientId) {
        this.topic = topic;
        final Map<String, Object> props = ClientConfigs.producer(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-writer");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        final SpecificAvroSerde<DataKeyRecord> serde = new SpecificAvroSerde<>(DataKeyRecord.class);
        serde.configure(config, false);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serde.serializer());
        this.reader = new KafkaTopicReader<>(config, topic, DataKeyRecord.class, clientId + "-reader");
    }

    /** Called (on the refreshing thread) for each shredded entry a refresh brings in, e.g. to drop cached keys. */
    public void onShredded(final Consumer<DataKeyRecord> listener) {
        this.onShredded = listener;
    }

    @Override
    public void registerCreated(final WrappedDataKey key, final Instant createdAt, final String service) {
        final DataKeyRecord entry = DekRecords.created(key, createdAt, service);
        try {
            producer.send(new ProducerRecord<>(topic, ENTRY_PREFIX + key.dekId(), entry))
                    .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering DEK " + key.dekId(), e);
        } catch (final ExecutionException | TimeoutException e) {
            final Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("DEK registry topic " + topic + " unreachable: " + cause.getMessage(), cause);
        }
        entries.putIfAbsent(key.dekId(), entry);
    }

    @Override
    public void markRetired(final String dekId, final KekRef createdKek, final Instant retiredAt, final String service) {
        final DataKeyRecord marker = DekRecords.retiredMarker(dekId, createdKek, retiredAt, service);
        retired.put(dekId, marker);
        try {
            producer.send(new ProducerRecord<>(topic, RETIRED_PREFIX + dekId, marker), (metadata, error) -> {
                if (error != null) {
                    LOG.warn("could not record the retirement of DEK {} in the registry: {}", dekId, error.getMessage());
                }
            });
        } catch (final RuntimeException e) {
            LOG.warn("could not record the retirement of DEK {} in the registry: {}", dekId, e.getMessage());
        }
    }

    @Override
    public void refresh() {
        reader.catchUp(this::apply);
    }

    private void apply(final String key, final DataKeyRecord value) {
        if (key == null || value == null) {
            return;
        }
        if (key.startsWith(ENTRY_PREFIX)) {
            final DataKeyRecord previous = entries.put(value.getDekId(), value);
            if (DekRecords.isShredded(value) && (previous == null || !DekRecords.isShredded(previous))) {
                onShredded.accept(value);
            }
        } else if (key.startsWith(RETIRED_PREFIX)) {
            retired.put(value.getDekId(), value);
        }
    }

    @Override
    public Optional<DataKeyRecord> find(final String dekId) {
        final DataKeyRecord entry = entries.get(dekId);
        return entry == null ? Optional.empty() : Optional.of(merged(entry));
    }

    @Override
    public List<DataKeyRecord> entries() {
        final List<DataKeyRecord> all = new ArrayList<>();
        entries.values().forEach(e -> all.add(merged(e)));
        all.sort((a, b) -> a.getDekId().compareTo(b.getDekId()));
        return all;
    }

    private DataKeyRecord merged(final DataKeyRecord entry) {
        final DataKeyRecord marker = retired.get(entry.getDekId());
        if (marker == null || entry.getState() != DataKeyState.ACTIVE) {
            return entry;
        }
        return DataKeyRecord.newBuilder(entry).setState(DataKeyState.RETIRED).setRetiredAt(marker.getRetiredAt()).build();
    }

    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(10));
        } finally {
            reader.close();
        }
    }
}
