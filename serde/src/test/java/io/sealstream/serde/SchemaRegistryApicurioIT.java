package io.sealstream.serde;

import static io.sealstream.serde.TestEvents.UPLOADED;
import static io.sealstream.serde.TestEvents.WIDGET;
import static io.sealstream.serde.TestEvents.WIDGET_REQUIRED_FIELD;
import static io.sealstream.serde.TestEvents.WIDGET_V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sealstream.events.ObjectUploaded;
import io.sealstream.testing.ApicurioRegistry;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client and serdes against a real Confluent-API registry: Apicurio Registry 2.6 started by the test. Each test
 * uses its own topic, so tests do not see each other's subjects.
 */
class SchemaRegistryApicurioIT {

    private static ApicurioRegistry registry;

    private String topic;
    private RestSchemaRegistryClient client;

    @BeforeAll
    static void startRegistry() {
        assumeTrue(ApicurioRegistry.configured(), "needs the Apicurio Registry that failsafe (mvn verify) provides");
        registry = ApicurioRegistry.shared();
    }

    @BeforeEach
    void freshTopicAndClient() {
        topic = "it-" + UUID.randomUUID();
        client = new RestSchemaRegistryClient(configs());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    private static Map<String, Object> configs(final Object... keyValues) {
        final Map<String, Object> configs = new HashMap<>();
        configs.put("schema.registry.url", registry.confluentUrl());
        for (int i = 0; i < keyValues.length; i += 2) {
            configs.put((String) keyValues[i], keyValues[i + 1]);
        }
        return configs;
    }

    private static SpecificAvroSerde<ObjectUploaded> uploadSerde(final Object... keyValues) {
        final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
        serde.configure(configs(keyValues), false);
        return serde;
    }

    private static GenericAvroSerde genericSerde(final Object... keyValues) {
        final GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(configs(keyValues), false);
        return serde;
    }

    private static int idOf(final byte[] bytes) {
        assertThat(bytes[0]).isZero();
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    @Test
    void specificRecordsRegisterAndRoundTripThroughTheRegistry() {
        final ObjectUploaded event = TestEvents.staged("it-1");
        final byte[] bytes;
        try (SpecificAvroSerde<ObjectUploaded> writer = uploadSerde()) {
            bytes = writer.serializer().serialize(topic, event);
        }
        assertThat(idOf(bytes)).isEqualTo(client.getId(topic + "-value", UPLOADED));
        assertThat(client.getLatest(topic + "-value").schema()).isEqualTo(UPLOADED);
        try (SpecificAvroSerde<ObjectUploaded> reader = uploadSerde()) { // a fresh client: fetches the schema by id
            assertThat(reader.deserializer().deserialize(topic, bytes)).isEqualTo(event);
        }
    }

    @Test
    void genericRecordsRoundTripThroughTheRegistry() {
        final GenericRecord widget = TestEvents.widget(WIDGET, "gear", 3);
        final byte[] bytes;
        try (GenericAvroSerde writer = genericSerde()) {
            bytes = writer.serializer().serialize(topic, widget);
        }
        try (GenericAvroSerde reader = genericSerde()) {
            final GenericRecord back = reader.deserializer().deserialize(topic, bytes);
            assertThat(back).isEqualTo(widget);
            assertThat(back.getSchema()).isEqualTo(WIDGET);
        }
    }

    @Test
    void theSameSchemaGetsTheSameIdEverywhere() {
        final int first = client.register(topic + "-a", WIDGET);
        try (RestSchemaRegistryClient other = new RestSchemaRegistryClient(configs())) {
            assertThat(other.register(topic + "-a", WIDGET)).isEqualTo(first);
            assertThat(other.register(topic + "-b", WIDGET)).isEqualTo(first);
            assertThat(other.getById(first)).isEqualTo(WIDGET);
            assertThat(other.getLatest(topic + "-a").version()).isEqualTo(1);
            assertThat(other.subjects()).contains(topic + "-a", topic + "-b");
        }
    }

    @Test
    void backwardEvolutionIsAcceptedAndAnIncompatibleVersionIsRejectedWith409() {
        final String subject = topic + "-value";
        client.register(subject, WIDGET);
        assertThat(client.isCompatible(subject, WIDGET_V2)).isTrue();
        assertThat(client.isCompatible(subject, WIDGET_REQUIRED_FIELD)).isFalse();
        final int v2 = client.register(subject, WIDGET_V2);
        assertThat(client.getLatest(subject)).isEqualTo(new RegisteredSchema(v2, 2, subject, WIDGET_V2));

        assertThatThrownBy(() -> client.register(subject, WIDGET_REQUIRED_FIELD))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.isTransient()).isFalse();
                })
                .hasMessageContaining("HTTP 409").hasMessageNotContaining("\n");

        // A per-subject level overrides the global BACKWARD: under FORWARD the old version must read the new one,
        // which the extra field allows. (Apicurio 2.6 treats a per-subject NONE as "no subject rule" and falls back
        // to the global level, so NONE cannot show this.)
        client.setCompatibility(subject, "FORWARD");
        assertThat(client.register(subject, WIDGET_REQUIRED_FIELD)).isPositive();
        assertThat(client.getLatest(subject).version()).isEqualTo(3);
    }

    @Test
    void dataWrittenWithAnOlderSchemaReadsIntoTheCurrentClass() {
        final Schema old = TestEvents.without(UPLOADED, "contentType", "userMetadata");
        final byte[] oldBytes;
        try (GenericAvroSerde writer = genericSerde()) {
            oldBytes = writer.serializer().serialize(topic, TestEvents.oldUpload(old));
        }
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            serde.serializer().serialize(topic, TestEvents.staged("new")); // BACKWARD-compatible version 2
            final ObjectUploaded back = serde.deserializer().deserialize(topic, oldBytes);
            assertThat(back.getEventId()).isEqualTo("old-1");
            assertThat(back.getContentType()).isNull();
            assertThat(back.getUserMetadata()).isEmpty();
        }
        assertThat(client.getLatest(topic + "-value").version()).isEqualTo(2);
    }

    @Test
    void unknownIdsAndSubjectsAreSchemaNotFound() {
        assertThatThrownBy(() -> client.getById(Integer.MAX_VALUE - 1))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> client.getLatest(topic + "-value"))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThat(client.isCompatible(topic + "-value", WIDGET)).isTrue();

        final byte[] unknownId = ByteBuffer.allocate(6).put((byte) 0).putInt(Integer.MAX_VALUE - 1).put((byte) 0).array();
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(topic, unknownId))
                    .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining(String.valueOf(Integer.MAX_VALUE - 1));
        }
        try (SpecificAvroSerde<ObjectUploaded> strict = uploadSerde("auto.register.schemas", false)) {
            assertThatThrownBy(() -> strict.serializer().serialize(topic, TestEvents.staged("x")))
                    .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("auto.register.schemas=false");
        }
    }

    @Test
    void useLatestVersionWritesWithTheLatestRegisteredSchema() {
        final String subject = topic + "-value";
        client.register(subject, WIDGET);
        final int v2 = client.register(subject, WIDGET_V2);
        try (GenericAvroSerde serde = genericSerde("use.latest.version", true, "auto.register.schemas", false)) {
            final byte[] bytes = serde.serializer().serialize(topic, TestEvents.widget(WIDGET, "gear", 3));
            assertThat(idOf(bytes)).isEqualTo(v2);
            final GenericRecord back = serde.deserializer().deserialize(topic, bytes);
            assertThat(back.getSchema()).isEqualTo(WIDGET_V2);
            assertThat(back.get("colour")).hasToString("blue");
        }
    }
}
