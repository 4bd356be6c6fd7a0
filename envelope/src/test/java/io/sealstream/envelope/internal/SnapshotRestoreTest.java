package io.sealstream.envelope.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two copies of a process restored from one snapshot hold the same salt generator, keyed at the same moment. Restored
 * later than {@link ObjectRandomness.CtrGenerator#RESTORE_GAP_MILLIS} after that moment (a restore always is), each
 * rekeys from the kernel before its first object, so their salts differ; without the rekey they would repeat, and one
 * data key would give two objects one object key.
 */
class SnapshotRestoreTest {

    private static final byte[] KEY = filled(32, 7);
    private static final byte[] NONCE = filled(8, 3);

    private static byte[] filled(final int n, final int value) {
        final byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void copiesRestoredFromOneSnapshotDrawDifferentSalts() {
        final AtomicLong clock = new AtomicLong(1_000);
        final ObjectRandomness.CtrGenerator first = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        final ObjectRandomness.CtrGenerator second = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        clock.set(1_000 + 250); // the restore, a quarter of a second after the snapshot
        for (int object = 0; object < 100; object++) {
            final byte[] saltA = new byte[32];
            final byte[] saltB = new byte[32];
            first.fill(saltA, new byte[7]);
            second.fill(saltB, new byte[7]);
            assertThat(saltB).as("object %d", object).isNotEqualTo(saltA);
        }
        assertThat(OsEntropy.source()).isEqualTo("/dev/urandom");
    }

    /** The window the design accepts, shown so that it stays what the docs say: copies used within it would repeat. */
    @Test
    void withinTheRestoreGapTheGeneratorIsNotRekeyed() {
        final AtomicLong clock = new AtomicLong(1_000);
        final ObjectRandomness.CtrGenerator first = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        final ObjectRandomness.CtrGenerator second = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        clock.set(1_000 + ObjectRandomness.CtrGenerator.RESTORE_GAP_MILLIS - 1);
        final byte[] saltA = new byte[32];
        final byte[] saltB = new byte[32];
        first.fill(saltA, new byte[7]);
        second.fill(saltB, new byte[7]);
        assertThat(saltB).isEqualTo(saltA);
    }

    @Test
    void aClockThatGoesBackRekeysToo() {
        final AtomicLong clock = new AtomicLong(1_000);
        final ObjectRandomness.CtrGenerator first = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        final ObjectRandomness.CtrGenerator second = ObjectRandomness.CtrGenerator.inState(KEY, NONCE, 1_000, clock::get);
        clock.set(500);
        final byte[] saltA = new byte[32];
        final byte[] saltB = new byte[32];
        first.fill(saltA, new byte[7]);
        second.fill(saltB, new byte[7]);
        assertThat(saltB).isNotEqualTo(saltA);
    }
}
