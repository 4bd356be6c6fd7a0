package io.sealstream.serde;

import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/** Events and schema variants shared by the serde tests. */
final class TestEvents {

    static final Schema UPLOADED = ObjectUploaded.getClassSchema();

    /** A small unrelated record schema. */
    static final Schema WIDGET = new Schema.Parser().parse("""
            {"type":"record","name":"Widget","namespace":"io.sealstream.test","fields":[
              {"name":"name","type":"string"},
              {"name":"count","type":"int"}]}""");

    /** Widget plus a defaulted field: a BACKWARD-compatible next version. */
    static final Schema WIDGET_V2 = new Schema.Parser().parse("""
            {"type":"record","name":"Widget","namespace":"io.sealstream.test","fields":[
              {"name":"name","type":"string"},
              {"name":"count","type":"int"},
              {"name":"colour","type":"string","default":"blue"}]}""");

    /** Widget with a new field and no default: not BACKWARD compatible. */
    static final Schema WIDGET_REQUIRED_FIELD = new Schema.Parser().parse("""
            {"type":"record","name":"Widget","namespace":"io.sealstream.test","fields":[
              {"name":"name","type":"string"},
              {"name":"count","type":"int"},
              {"name":"weight","type":"double"}]}""");

    private TestEvents() {
    }

    static ObjectUploaded staged(final String eventId) {
        return ObjectUploaded.newBuilder()
                .setEventId(eventId)
                .setEventTime(Instant.parse("2026-11-27T06:50:43.123Z"))
                .setTenant("acme")
                .setBucket("invoices")
                .setObjectKey("2026/11/inv-0001.pdf")
                .setContentType(null)
                .setUploader("alice@acme.example")
                .setUserMetadata(Map.of("department", "finance", "ü-key", "välue"))
                .setPayload(StagedPayload.newBuilder()
                        .setLocation("s3://staging/acme/inv-0001.pdf")
                        .setSize(123_456L)
                        .setSha256(ByteBuffer.wrap(new byte[32]))
                        .build())
                .build();
    }

    static ObjectUploaded inline(final String eventId, final byte[] data) {
        return ObjectUploaded.newBuilder(staged(eventId))
                .setContentType("text/plain")
                .setPayload(InlinePayload.newBuilder().setData(ByteBuffer.wrap(data)).build())
                .build();
    }

    static GenericRecord widget(final Schema schema, final String name, final int count) {
        return new GenericRecordBuilder(schema).set("name", name).set("count", count).build();
    }

    /** A copy of a record schema without some (defaulted) fields: an older version. */
    static Schema without(final Schema record, final String... fields) {
        final Set<String> drop = Set.of(fields);
        final List<Schema.Field> kept = record.getFields().stream().filter(f -> !drop.contains(f.name()))
                .map(f -> new Schema.Field(f, f.schema())).toList();
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, kept);
    }

    /** A copy of a record schema with one more field: a newer version. */
    static Schema with(final Schema record, final Schema.Field extra) {
        final List<Schema.Field> fields = new java.util.ArrayList<>(record.getFields().stream().map(f -> new Schema.Field(f, f.schema())).toList());
        fields.add(extra);
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    /** An ObjectUploaded written generically with an older schema lacking contentType and userMetadata. */
    static GenericRecord oldUpload(final Schema oldSchema) {
        final Schema staged = oldSchema.getField("payload").schema().getTypes().get(1);
        final GenericData.Record payload = new GenericData.Record(staged);
        payload.put("location", "s3://staging/acme/old.bin");
        payload.put("size", 7L);
        payload.put("sha256", null);
        return new GenericRecordBuilder(oldSchema)
                .set("eventId", "old-1")
                .set("eventTime", Instant.parse("2025-01-02T03:04:05.006Z").toEpochMilli())
                .set("tenant", "acme")
                .set("bucket", "b")
                .set("objectKey", "k")
                .set("uploader", "bob")
                .set("payload", payload)
                .build();
    }
}
