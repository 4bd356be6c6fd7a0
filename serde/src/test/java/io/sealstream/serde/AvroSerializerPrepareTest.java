package io.sealstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.serde.FakeRegistryServer.Reply;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link AvroSerializer#prepare}: a tool resolves its schema's id while it starts, not on its critical path. */
class AvroSerializerPrepareTest {

    private FakeRegistryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void preparedSchemasAreSerializedWithoutAnotherRegistryCall() throws Exception {
        server = new FakeRegistryServer(r -> Reply.json(200, "{\"id\":42}"));
        try (SpecificAvroSerde<io.sealstream.events.ObjectUploaded> serde = new SpecificAvroSerde<>()) {
            serde.configure(Map.of("schema.registry.url", server.url()), false);
            final AvroSerializer<io.sealstream.events.ObjectUploaded> serializer =
                    (AvroSerializer<io.sealstream.events.ObjectUploaded>) serde.serializer();

            serializer.prepare("uploads", TestEvents.UPLOADED);
            assertThat(server.requests()).hasSize(1);
            assertThat(server.requests().get(0).rawPath()).isEqualTo("/subjects/uploads-value/versions");

            final byte[] bytes = serializer.serialize("uploads", TestEvents.staged("e-1"));
            assertThat(server.requests()).as("the id prepared is the id used").hasSize(1);
            assertThat(bytes[0]).isZero();
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(42);
        }
    }
}
