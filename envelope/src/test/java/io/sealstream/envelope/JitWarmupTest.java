package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitWarmupTest {

    @Test
    void warmUpRoundTripsThroughTheRealFormatWithEveryPreset() throws Exception {
        // run() decrypts what it encrypted: a warm-up that no longer exercised the real read and write paths (a wrong
        // context, a broken stream) would throw here instead of quietly compiling something else.
        for (final Preset preset : Preset.values()) {
            assertThat(JitWarmup.run(preset, 256 * 1024)).isGreaterThanOrEqualTo(256 * 1024);
        }
    }

    @Test
    void aZeroBudgetStillChecksTheRoundTrip() throws Exception {
        assertThat(JitWarmup.run(Preset.DEFAULT, 0)).isZero();
    }
}
