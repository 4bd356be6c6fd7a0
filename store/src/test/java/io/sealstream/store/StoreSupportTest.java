package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class StoreSupportTest {

    @Test
    void aSwallowedSinkFailureIsRethrownBeforeCommit() throws IOException {
        final IOException diskFull = new IOException("No space left on device");
        final StoreSupport.WriterStream stream = new StoreSupport.WriterStream(new OutputStream() {
            private int calls;

            @Override
            public void write(final int b) throws IOException {
                if (++calls == 2) {
                    throw diskFull;
                }
            }
        });

        stream.write(1);
        assertThatThrownBy(() -> stream.write(2)).isSameAs(diskFull);
        stream.write(3); // a careless writer goes on

        assertThatThrownBy(stream::checkNoWriteFailed).isSameAs(diskFull);
    }

    @Test
    void theWriterStreamCountsAndRefusesWritesOnceClosed() throws IOException {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        final StoreSupport.WriterStream stream = new StoreSupport.WriterStream(sink);
        stream.write(new byte[] {1, 2, 3}, 1, 2);
        stream.write(4);
        stream.close();

        assertThat(stream.count()).isEqualTo(3);
        assertThat(sink.toByteArray()).containsExactly(2, 3, 4);
        assertThatThrownBy(() -> stream.write(5)).isInstanceOf(IOException.class).hasMessage("object content stream is closed");
        stream.checkNoWriteFailed();
    }

    @Test
    void oneLineFlattensWhitespaceAndNeutralisesControlCharacters() {
        assertThat(StoreSupport.oneLine("a\r\nb\tc\u0007d")).isEqualTo("a b c?d");
        assertThat(StoreSupport.oneLine("x".repeat(400))).hasSize(300).endsWith("...");
        assertThat(StoreSupport.oneLine(null)).isEmpty();
    }
}
