package io.sealstream.dev;

import io.sealstream.cli.CliFailure;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The demo's check that staged plaintext does not stay at rest: once the staged uploads' ciphertext is committed, the
 * staging cleaner deletes their plaintext; only the dead-lettered upload's staging object is left for its producer.
 */
final class StagingDemo {

    /** The staging key of the demo's upload with a wrong checksum: dead-lettered, so its plaintext stays. */
    static final String DEAD_LETTERED = "globex/tampered-64KiB.csv";

    private StagingDemo() {
    }

    static void awaitCleaned(final PrintStream out, final ObjectStore store) throws IOException, InterruptedException {
        final long t0 = System.nanoTime();
        List<String> left = store.list("staging", "", null, 100);
        while (!left.equals(List.of(DEAD_LETTERED)) && System.nanoTime() - t0 < 30_000_000_000L) {
            Thread.sleep(100);
            left = store.list("staging", "", null, 100);
        }
        if (!left.equals(List.of(DEAD_LETTERED))) {
            throw new CliFailure("demo: staged plaintext is still in the staging bucket after its ciphertext was "
                    + "committed: " + left, SealstreamCli.EXIT_FAILURE);
        }
        out.printf("staging     plaintext of every encrypted staged upload deleted after its commit (STAGING_DELETED "
                + "audit events); left: %s (dead-lettered, kept for its producer) (%.1f s)%n", left,
                (System.nanoTime() - t0) / 1e9);
    }
}
