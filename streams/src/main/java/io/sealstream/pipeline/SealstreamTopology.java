package io.sealstream.pipeline;

import io.sealstream.events.AuditEvent;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.pipeline.internals.KmsCheckpointSigner;
import io.sealstream.kms.SigningKeys;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.audit.CheckpointSigner;
import io.sealstream.pipeline.internals.AuditChainProcessor;
import io.sealstream.pipeline.internals.UploadEncryptor;
import io.sealstream.pipeline.internals.NotificationProcessor;
import io.sealstream.pipeline.internals.UploadProcessor;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectStore;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The sealstream topology, two sub-topologies in one exactly-once application:
 * <pre>
 *   sealstream.uploads ──▶ encrypt ──▶ sealstream.objects         (ObjectEncrypted, keyed by destination)
 *                                  ├─▶ sealstream.audit.pending  (AuditEvent: ENCRYPT SUCCESS / FAILURE, unchained)
 *                                  └─▶ sealstream.dlq             (DeadLetter, keyed by the original key)
 *
 *   sealstream.audit.pending ──▶ audit-chain ──▶ sealstream.audit  (AuditEvent, hash-chained; pending partition p
 *     (also written by CLI commands             │                   goes to audit partition p)
 *      and jobs through AuditLog)               └─▶ sealstream.dlq  (an unreadable pending record)
 * </pre>
 * With {@code sealstream.notifications.topic} set, a third: S3 event notifications ──▶ notifications ──▶
 * sealstream.uploads (the staged uploads they announce), dead letters and FAILURE audit events for the rest.
 * Rotation events do not pass through it: the data-key cache publishes them as keys are created and retired
 * ({@link RotationEvents}).
 */
public final class SealstreamTopology {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SealstreamTopology.class);

    public static final String SOURCE = "uploads-source";
    public static final String ENCRYPT = "encrypt";
    public static final String AUDIT_PENDING_SOURCE = "audit-pending-source";
    public static final String AUDIT_CHAIN = "audit-chain";
    public static final String NOTIFICATIONS_SOURCE = "notifications-source";
    public static final String NOTIFICATIONS = "notifications";

    private SealstreamTopology() {
    }

    /**
     * What the topology needs from outside.
     *
     * @param kms         the KMS stack (normally the caching one from {@code KmsClients})
     * @param store       where staging objects are read and ciphertext is written
     * @param serdeConfig schema-registry serde settings ({@code schema.registry.url} and Confluent's other keys)
     * @param clock       time source for event times
     * @param uploadWriter null: encrypt (the product); otherwise what replaces encryption ({@link UploadWriter})
     * @param meters       where the topology's meters go ({@link PipelineMeters})
     */
    public record Components(KeyManagementService kms, ObjectStore store, Map<String, ?> serdeConfig, Clock clock,
                             UploadWriter uploadWriter, PipelineMeters meters) {
        public Components {
            Objects.requireNonNull(kms, "kms");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(serdeConfig, "serdeConfig");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(meters, "meters");
        }

        /** With meters nobody reads ({@link #withMeters} to export them). */
        public Components(final KeyManagementService kms, final ObjectStore store, final Map<String, ?> serdeConfig,
                          final Clock clock) {
            this(kms, store, serdeConfig, clock, null, PipelineMeters.unexported());
        }

        /** The same components, their meters registered with {@code registry}. */
        public Components withMeters(final PipelineMeters value) {
            return new Components(kms, store, serdeConfig, clock, uploadWriter, value);
        }

        /**
         * The same pipeline with {@code writer} in place of envelope encryption (see {@link UploadWriter}; the
         * end-to-end benchmark's plaintext baseline).
         */
        public Components withUploadWriter(final UploadWriter writer) {
            return new Components(kms, store, serdeConfig, clock, Objects.requireNonNull(writer, "writer"), meters);
        }
    }

    public static Topology build(final PipelineConfig config, final Components components) {
        final Topics topics = config.topics();
        final Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.uploads());
        topology.addProcessor(ENCRYPT, () -> new UploadProcessor(config,
                valueSerde(ObjectUploaded.class, components).deserializer(),
                new UploadEncryptor(components.kms(), components.store(), config, components.clock(),
                        components.uploadWriter()),
                components.kms(), components.clock(), components.meters()), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(UploadProcessor.PROCESSED_STORE), Serdes.String(), Serdes.Long()), ENCRYPT);
        topology.addSink(UploadProcessor.OBJECTS_SINK, topics.objects(), Serdes.String().serializer(),
                valueSerializer(ObjectEncrypted.class, components), ENCRYPT);
        topology.addSink(UploadProcessor.AUDIT_PENDING_SINK, topics.auditPending(), Serdes.String().serializer(),
                valueSerializer(AuditEvent.class, components), ENCRYPT);
        topology.addSink(UploadProcessor.DEAD_LETTER_SINK, topics.deadLetters(), Serdes.ByteArray().serializer(),
                valueSerializer(DeadLetter.class, components), ENCRYPT);

        if (config.notifications().enabled()) {
            // S3 event notifications: converted to staged uploads on the uploads topic, in the same transaction.
            topology.addSource(NOTIFICATIONS_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                    config.notifications().topic());
            topology.addProcessor(NOTIFICATIONS, () -> new NotificationProcessor(config, components.clock(),
                    components.meters()), NOTIFICATIONS_SOURCE);
            topology.addSink(NotificationProcessor.UPLOADS_SINK, topics.uploads(), Serdes.ByteArray().serializer(),
                    valueSerializer(ObjectUploaded.class, components), NOTIFICATIONS);
            topology.addSink(NotificationProcessor.DEAD_LETTER_SINK, topics.deadLetters(), Serdes.ByteArray().serializer(),
                    valueSerializer(DeadLetter.class, components), NOTIFICATIONS);
            topology.addSink(NotificationProcessor.AUDIT_PENDING_SINK, topics.auditPending(), Serdes.String().serializer(),
                    valueSerializer(AuditEvent.class, components), NOTIFICATIONS);
        }

        // The chainer: the only writer of the audit topic (docs/ARCHITECTURE.md, "Audit trail").
        topology.addSource(AUDIT_PENDING_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.auditPending());
        final CheckpointSigner signer = checkpointSigner(config, components.kms());
        topology.addProcessor(AUDIT_CHAIN, () -> new AuditChainProcessor(config,
                valueSerde(AuditEvent.class, components).deserializer(), components.clock(), signer,
                components.meters()),
                AUDIT_PENDING_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AuditChainProcessor.HEADS_STORE),
                Serdes.Integer(), Serdes.ByteArray()), AUDIT_CHAIN);
        topology.addSink(AuditChainProcessor.AUDIT_SINK, topics.audit(), Serdes.String().serializer(),
                AuditChainProcessor.serializer(valueSerializer(AuditEvent.class, components)),
                new AuditChainProcessor.SamePartition(), AUDIT_CHAIN);
        topology.addSink(AuditChainProcessor.DEAD_LETTER_SINK, topics.deadLetters(), Serdes.ByteArray().serializer(),
                valueSerializer(DeadLetter.class, components), AUDIT_CHAIN);
        topology.addSink(AuditChainProcessor.CHECKPOINT_SINK, topics.auditCheckpoints(), Serdes.String().serializer(),
                Serdes.String().serializer(), AUDIT_CHAIN);
        return topology;
    }

    /**
     * The chainer's signer: the KMS's signing key {@code sealstream.audit.signing-key}, checked now so a missing key
     * stops start-up with one line instead of every audit record. A provider that holds no signing keys gets none,
     * and a warning: the trail then has only its hash chain.
     */
    private static CheckpointSigner checkpointSigner(final PipelineConfig config, final KeyManagementService kms) {
        final java.util.Optional<SigningKeys> keys = KeyManagementServiceDecorator.findRole(kms, SigningKeys.class);
        if (keys.isEmpty()) {
            LOG.warn("audit checkpoints are NOT signed: KMS provider '{}' holds no signing keys, so `audit verify "
                    + "--public-key` can not vouch for this trail (docs/ARCHITECTURE.md, \"Signed checkpoints\")",
                    kms.providerName());
            return null;
        }
        final KmsCheckpointSigner signer = new KmsCheckpointSigner(keys.get(), config.checkpoints().signingKey());
        try {
            LOG.info("audit checkpoints are signed with {}", signer.currentKey());
        } catch (final KeyNotFoundException e) {
            throw new IllegalStateException("sealstream.audit.signing-key '" + config.checkpoints().signingKey()
                    + "' does not exist in the KMS: create it (sealstream keys create) or name another key", e);
        }
        return signer;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> valueSerde(
            final Class<T> type, final Components components) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(components.serdeConfig(), false);
        return serde;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Serializer<T> valueSerializer(
            final Class<T> type, final Components components) {
        return valueSerde(type, components).serializer();
    }
}
