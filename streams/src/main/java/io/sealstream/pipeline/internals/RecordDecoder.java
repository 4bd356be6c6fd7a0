package io.sealstream.pipeline.internals;

import io.sealstream.pipeline.ReasonCode;
import io.sealstream.serde.IncompatibleSchemaException;
import io.sealstream.serde.MalformedRecordException;
import io.sealstream.serde.SchemaNotFoundException;
import io.sealstream.serde.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a record value that arrived as raw bytes, sorting failures the way every processor here needs them: the
 * record's fault is a {@link PermanentFailureException} (dead-lettered), a registry outage passes through (retried),
 * and a registry that refuses the pipeline itself stops it (fail closed).
 */
final class RecordDecoder {

    private RecordDecoder() {
    }

    static <T> T decode(final Deserializer<T> deserializer, final String topic, final Headers headers,
                        final byte[] value) throws PermanentFailureException {
        if (value == null) {
            throw new PermanentFailureException(ReasonCode.MALFORMED_EVENT, "the record has no value");
        }
        try {
            final T decoded = deserializer.deserialize(topic, headers, value);
            if (decoded == null) {
                throw new PermanentFailureException(ReasonCode.MALFORMED_EVENT, "the record has no value");
            }
            return decoded;
        } catch (final MalformedRecordException e) {
            throw new PermanentFailureException(ReasonCode.MALFORMED_EVENT, RetryLoop.oneLine(e));
        } catch (final SchemaNotFoundException | IncompatibleSchemaException e) {
            throw new PermanentFailureException(ReasonCode.UNKNOWN_SCHEMA, RetryLoop.oneLine(e));
        } catch (final SchemaRegistryException e) {
            if (e.isTransient()) {
                throw e;
            }
            // 401, 403, 422...: the registry refuses the pipeline itself, which is no record's fault. Fail closed
            // rather than dead-letter every record.
            throw new FatalPipelineException("the schema registry refused the pipeline: " + RetryLoop.oneLine(e), e);
        } catch (final SerializationException | ClassCastException | IllegalArgumentException e) {
            throw new PermanentFailureException(ReasonCode.MALFORMED_EVENT, RetryLoop.oneLine(e));
        }
    }
}
