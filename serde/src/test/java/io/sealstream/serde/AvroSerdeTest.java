package io.sealstream.serde;

import static io.sealstream.serde.TestEvents.UPLOADED;
import static io.sealstream.serde.TestEvents.WIDGET;
import static io.sealstream.serde.TestEvents.WIDGET_V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.events.ObjectUploaded;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serdes against {@code mock://} registries: wire format, subjects, registration modes, evolution, errors. */
class AvroSerdeTest {

    private static final String TOPIC = "sealstream.uploads";

    private final String scope = "serde-test-" + UUID.randomUUID();
    private final MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    private Map<String, Object> configs(final Object... keyValues) {
        final Map<String, Object> configs = new HashMap<>();
        configs.put("schema.registry.url", "mock://" + scope);
        for (int i = 0; i < keyValues.length; i += 2) {
            configs.put((String) keyValues[i], keyValues[i + 1]);
        }
        return configs;
    }

    private SpecificAvroSerde<ObjectUploaded> uploadSerde(final Object... keyValues) {
        final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
        serde.configure(configs(keyValues), false);
        return serde;
    }

    private GenericAvroSerde genericSerde(final Object... keyValues) {
        final GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(configs(keyValues), false);
        return serde;
    }

    private static byte[] avroBinary(final ObjectUploaded value) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<ObjectUploaded>(ObjectUploaded.class).write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] header(final int id) {
        return ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ------------------------------------------------------------------------------------------ round trips

    @Test
    void specificRecordsRoundTripWithEveryFieldKind() {
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            for (final ObjectUploaded event : new ObjectUploaded[] {TestEvents.staged("e-1"), TestEvents.inline("e-2", new byte[] {1, 2, 3})}) {
                final byte[] bytes = serde.serializer().serialize(TOPIC, event);
                final ObjectUploaded back = serde.deserializer().deserialize(TOPIC, bytes);
                assertThat(back).isEqualTo(event);
                assertThat(back.getEventTime()).isEqualTo(event.getEventTime());
            }
        }
    }

    @Test
    void wireFormatIsMagicZeroThenBigEndianIdThenPlainAvroBinary() throws Exception {
        final ObjectUploaded event = TestEvents.staged("e-1");
        registry.register("padding-value", WIDGET); // so the upload schema's id is not 1
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            final byte[] bytes = serde.serializer().serialize(TOPIC, event);

            final int id = registry.getId(TOPIC + "-value", UPLOADED);
            assertThat(id).isEqualTo(2);
            assertThat(Arrays.copyOfRange(bytes, 0, 5)).containsExactly(0, 0, 0, 0, 2);
            assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(event));
        }
    }

    @Test
    void genericRecordsRoundTripAndReadBackWithTheWriterSchema() {
        final GenericRecord widget = TestEvents.widget(WIDGET, "gear", 3);
        try (GenericAvroSerde serde = genericSerde()) {
            final GenericRecord back = serde.deserializer().deserialize("widgets", serde.serializer().serialize("widgets", widget));
            assertThat(back).isEqualTo(widget);
            assertThat(back.getSchema()).isEqualTo(WIDGET);
            assertThat(back.get("name")).hasToString("gear");
        }
    }

    @Test
    void genericDeserializerReadsSpecificBytesAsGenericRecordsUnlessSpecificReaderIsSet() {
        final ObjectUploaded event = TestEvents.staged("e-1");
        final byte[] bytes;
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            bytes = serde.serializer().serialize(TOPIC, event);
        }
        final AvroDeserializer<Object> generic = new AvroDeserializer<>();
        generic.configure(configs(), false);
        assertThat(generic.deserialize(TOPIC, bytes)).isInstanceOf(GenericData.Record.class)
                .satisfies(r -> assertThat(((GenericRecord) r).get("eventId")).hasToString("e-1"));

        final AvroDeserializer<Object> specific = new AvroDeserializer<>();
        specific.configure(configs("specific.avro.reader", "true"), false);
        assertThat(specific.deserialize(TOPIC, bytes)).isEqualTo(event);

        try (SpecificAvroSerde<ObjectUploaded> noClass = new SpecificAvroSerde<>()) {
            noClass.configure(configs(), false);
            assertThat(noClass.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event);
        }
    }

    @Test
    void primitiveKeysRoundTripUnderTheKeySubject() {
        final AvroSerializer<Object> serializer = new AvroSerializer<>();
        serializer.configure(configs(), true);
        final AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(configs(), true);

        assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, "tenant-42"))).isEqualTo("tenant-42");
        assertThat(deserializer.deserialize("counters", serializer.serialize("counters", 7L))).isEqualTo(7L);
        assertThat((byte[]) deserializer.deserialize("blobs", serializer.serialize("blobs", new byte[] {9, 8}))).containsExactly(9, 8);
        assertThat(registry.getLatest(TOPIC + "-key").schema()).isEqualTo(Schema.create(Schema.Type.STRING));
        assertThat(registry.getLatest("blobs-key").schema()).isEqualTo(Schema.create(Schema.Type.BYTES));
        // a key subject keeps its type: BACKWARD forbids switching it from string to long
        assertThatThrownBy(() -> serializer.serialize(TOPIC, 7L)).isInstanceOf(IncompatibleSchemaException.class);
        assertThatThrownBy(() -> serializer.serialize(TOPIC, new Object())).isInstanceOf(SerializationException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void nullIsWrittenAndReadAsNull() {
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
            assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
        }
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void aRecordThatBreaksItsSchemaFailsNamingTheField() {
        final ObjectUploaded broken = TestEvents.staged("e-1");
        broken.setTenant(null);
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, broken)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("tenant").hasMessageContaining(TOPIC);
        }
    }

    // ------------------------------------------------------------------------------------------ subjects

    @Test
    void subjectNameStrategiesAcceptConfluentClassNamesAndShortNames() {
        final ObjectUploaded event = TestEvents.staged("e-1");
        final Map<String, String> expected = Map.of(
                "io.confluent.kafka.serializers.subject.TopicNameStrategy", TOPIC + "-value",
                "RecordNameStrategy", "io.sealstream.events.ObjectUploaded",
                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", TOPIC + "-io.sealstream.events.ObjectUploaded");
        expected.forEach((strategy, subject) -> {
            try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde("value.subject.name.strategy", strategy)) {
                serde.serializer().serialize(TOPIC, event);
            }
            assertThat(registry.getLatest(subject).schema()).as(strategy).isEqualTo(UPLOADED);
        });
        assertThat(registry.subjects()).containsExactlyInAnyOrderElementsOf(expected.values());

        try (SpecificAvroSerde<ObjectUploaded> keys = new SpecificAvroSerde<>(ObjectUploaded.class)) {
            keys.configure(configs("key.subject.name.strategy", "TopicNameStrategy"), true);
            keys.serializer().serialize(TOPIC, event);
        }
        assertThat(registry.subjects()).contains(TOPIC + "-key");
    }

    // ------------------------------------------------------------------------------------------ registration modes

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaFailsClearlyAndARegisteredOneIsUsed() {
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde("auto.register.schemas", "false")) {
            final ObjectUploaded event = TestEvents.staged("e-1");
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, event))
                    .isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("io.sealstream.events.ObjectUploaded")
                    .hasMessageContaining(TOPIC + "-value")
                    .hasMessageContaining("auto.register.schemas=false")
                    .hasMessageNotContaining("\n");
            assertThat(registry.subjects()).isEmpty();

            registry.register("padding-value", WIDGET);
            final int id = registry.register(TOPIC + "-value", UPLOADED);
            final byte[] bytes = serde.serializer().serialize(TOPIC, event);
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
            assertThat(registry.getLatest(TOPIC + "-value").version()).isEqualTo(1);
        }
    }

    @Test
    void useLatestVersionWritesWithTheSubjectsLatestSchema() {
        registry.register("widgets-value", WIDGET);
        final int v2 = registry.register("widgets-value", WIDGET_V2);
        try (GenericAvroSerde serde = genericSerde("use.latest.version", true, "auto.register.schemas", false)) {
            final byte[] bytes = serde.serializer().serialize("widgets", TestEvents.widget(WIDGET, "gear", 3));

            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(v2);
            final GenericRecord back = serde.deserializer().deserialize("widgets", bytes);
            assertThat(back.getSchema()).isEqualTo(WIDGET_V2);
            assertThat(back.get("count")).isEqualTo(3);
            assertThat(back.get("colour")).hasToString("blue");
        }
        assertThat(registry.getLatest("widgets-value").version()).isEqualTo(2);
    }

    @Test
    void useLatestVersionRefusesALatestSchemaThatCannotHoldTheRecord() {
        registry.setCompatibility("widgets-value", "NONE");
        registry.register("widgets-value", TestEvents.WIDGET_REQUIRED_FIELD);
        try (GenericAvroSerde serde = genericSerde("use.latest.version", true)) {
            assertThatThrownBy(() -> serde.serializer().serialize("widgets", TestEvents.widget(WIDGET, "gear", 3)))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("widgets-value").hasMessageContaining("weight");
        }
    }

    // ------------------------------------------------------------------------------------------ evolution

    @Test
    void backwardEvolutionOldWriterSchemaReadsIntoTheCurrentClassWithDefaults() {
        final Schema old = TestEvents.without(UPLOADED, "contentType", "userMetadata");
        final byte[] oldBytes;
        try (GenericAvroSerde writer = genericSerde()) {
            oldBytes = writer.serializer().serialize(TOPIC, TestEvents.oldUpload(old));
        }
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            serde.serializer().serialize(TOPIC, TestEvents.staged("new")); // BACKWARD: registers version 2
            assertThat(registry.getLatest(TOPIC + "-value").version()).isEqualTo(2);

            final ObjectUploaded back = serde.deserializer().deserialize(TOPIC, oldBytes);
            assertThat(back.getEventId()).isEqualTo("old-1");
            assertThat(back.getEventTime()).isEqualTo("2025-01-02T03:04:05.006Z");
            assertThat(back.getContentType()).isNull();
            assertThat(back.getUserMetadata()).isEmpty();
            assertThat(back.getPayload()).isInstanceOf(io.sealstream.events.StagedPayload.class);
        }
    }

    @Test
    void newerWriterSchemaWithAnExtraFieldStillReadsIntoTheCurrentClass() {
        final Schema newer = TestEvents.with(UPLOADED, new Schema.Field("priority", Schema.create(Schema.Type.INT), null, 0));
        final ObjectUploaded event = TestEvents.staged("e-1");
        final GenericData.Record record = new GenericData.Record(newer);
        for (final Schema.Field f : UPLOADED.getFields()) {
            record.put(f.name(), GenericData.get().deepCopy(f.schema(), SpecificToGeneric.value(event, f)));
        }
        record.put("priority", 5);
        try (GenericAvroSerde writer = genericSerde(); SpecificAvroSerde<ObjectUploaded> reader = uploadSerde()) {
            final ObjectUploaded back = reader.deserializer().deserialize(TOPIC, writer.serializer().serialize(TOPIC, record));
            assertThat(back).isEqualTo(event);
        }
    }

    @Test
    void anIncompatibleNewVersionIsRejectedAtRegistration() {
        final Schema tenantAsInt = new Schema.Parser().parse(UPLOADED.toString().replace(
                "{\"name\":\"tenant\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}}", "{\"name\":\"tenant\",\"type\":\"int\"}"));
        assertThat(tenantAsInt.getField("tenant").schema().getType()).isEqualTo(Schema.Type.INT);
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde(); GenericAvroSerde generic = genericSerde()) {
            serde.serializer().serialize(TOPIC, TestEvents.staged("e-1"));
            final GenericData.Record bad = new GenericData.Record(tenantAsInt);
            assertThatThrownBy(() -> generic.serializer().serialize(TOPIC, bad))
                    .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("tenant");
        }
        assertThat(registry.getLatest(TOPIC + "-value").version()).isEqualTo(1);
    }

    @Test
    void aValueWrittenWithAnUnrelatedRecordSchemaIsIncompatibleWithTheReaderClass() {
        final byte[] bytes;
        try (GenericAvroSerde writer = genericSerde()) {
            bytes = writer.serializer().serialize(TOPIC, TestEvents.widget(WIDGET, "gear", 3));
        }
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("io.sealstream.events.ObjectUploaded")
                    .hasMessageContaining("io.sealstream.test.Widget")
                    .hasMessageNotContaining("\n");
        }
    }

    // ------------------------------------------------------------------------------------------ malformed input

    @Test
    void everyKindOfMalformedInputMapsToItsException() throws Exception {
        final ObjectUploaded event = TestEvents.staged("e-1");
        try (SpecificAvroSerde<ObjectUploaded> serde = uploadSerde()) {
            final byte[] good = serde.serializer().serialize(TOPIC, event);
            final int id = ByteBuffer.wrap(good, 1, 4).getInt();
            final var in = serde.deserializer();

            assertMalformed(() -> in.deserialize(TOPIC, new byte[0]), "0 bytes");
            assertMalformed(() -> in.deserialize(TOPIC, new byte[] {0, 0, 0, 1}), "4 bytes");
            final byte[] wrongMagic = good.clone();
            wrongMagic[0] = 1;
            assertMalformed(() -> in.deserialize(TOPIC, wrongMagic), "magic byte 0x01");
            assertMalformed(() -> in.deserialize(TOPIC, "{\"json\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "magic byte 0x7b");
            assertMalformed(() -> in.deserialize(TOPIC, header(-7)), "negative schema id");
            assertMalformed(() -> in.deserialize(TOPIC, Arrays.copyOf(good, good.length - 3)), "does not decode");
            assertMalformed(() -> in.deserialize(TOPIC, header(id)), "does not decode");
            assertMalformed(() -> in.deserialize(TOPIC, concat(good, new byte[] {42, 42})), "2 trailing bytes");
            final byte[] garbage = new byte[40];
            Arrays.fill(garbage, (byte) 0xff);
            assertMalformed(() -> in.deserialize(TOPIC, concat(header(id), garbage)), "does not decode");
            // a string length far beyond the record: fails on the length, allocates nothing large
            final byte[] hugeLength = concat(header(id), new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
            assertMalformed(() -> in.deserialize(TOPIC, hugeLength), "does not decode");

            assertThatThrownBy(() -> in.deserialize(TOPIC, header(4242)))
                    .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(40403);
                        assertThat(e.isTransient()).isFalse();
                    })
                    .hasMessageContaining("4242").hasMessageContaining(TOPIC);
            assertThat(in.deserialize(TOPIC, good)).isEqualTo(event);
        }
    }

    private static void assertMalformed(final org.assertj.core.api.ThrowableAssert.ThrowingCallable call, final String detail) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MalformedRecordException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining(detail).hasMessageContaining(TOPIC).hasMessageNotContaining("\n");
    }

    // ------------------------------------------------------------------------------------------ config

    @Test
    void aSerdeWithoutRegistryUrlRefusesToConfigure() {
        try (SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class)) {
            assertThatThrownBy(() -> serde.configure(Map.of(), false))
                    .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                    .hasMessageContaining("schema.registry.url");
        }
        final AvroSerializer<Object> unconfigured = new AvroSerializer<>();
        assertThatThrownBy(() -> unconfigured.serialize(TOPIC, "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
    }

    /** Reads a specific record's field value in generic form (nested records become generic by deep copy). */
    private static final class SpecificToGeneric {
        static Object value(final ObjectUploaded event, final Schema.Field field) {
            final Object v = event.get(field.pos());
            if (v instanceof java.time.Instant instant) {
                return instant.toEpochMilli();
            }
            if (v instanceof org.apache.avro.specific.SpecificRecord nested) {
                final GenericData.Record copy = new GenericData.Record(nested.getSchema());
                for (final Schema.Field f : nested.getSchema().getFields()) {
                    copy.put(f.pos(), nested.get(f.pos()));
                }
                return copy;
            }
            return v;
        }
    }
}
