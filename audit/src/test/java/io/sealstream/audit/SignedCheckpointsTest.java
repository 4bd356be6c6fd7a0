package io.sealstream.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.audit.AuditTrailVerifier.Checkpoints;
import io.sealstream.audit.AuditTrailVerifier.Problem;
import io.sealstream.audit.AuditTrailVerifier.ProblemKind;
import io.sealstream.audit.AuditTrailVerifier.Report;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, section 2, without Kafka: what a producer to the audit topic (and one with delete rights) can do to a trail,
 * and how signed checkpoints and partition-bound chains expose it. Each attack verifies clean with the chain alone
 * (the state before checkpoints) and is reported once checkpoints are checked.
 */
class SignedCheckpointsTest {

    private static final String TOPIC = "sealstream.audit";
    private final KeyPair chainerKey = ed25519();
    private final KeyPair attackerKey = ed25519();

    @Test
    void anIntactCheckpointedTrailVerifies() {
        final Map<Integer, List<AuditEvent>> trail = Map.of(0, chain(0, 10), 1, chain(1, 4));
        final List<AuditCheckpoint> checkpoints = List.of(checkpoint(trail, 0, 4), checkpoint(trail, 0, 9),
                checkpoint(trail, 1, 3));

        final Report report = verify(trail, checkpoints);

        assertThat(report.problems()).isEmpty();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void anAppendedForgeryIsReportedAsNotCovered() {
        final Map<Integer, List<AuditEvent>> trail = new TreeMap<>(Map.of(0, chain(0, 10)));
        final List<AuditCheckpoint> checkpoints = List.of(checkpoint(trail, 0, 9));
        // The attacker reads the head and links a record of its own to it: the hash chain alone accepts it.
        final List<AuditEvent> extended = new ArrayList<>(trail.get(0));
        extended.add(AuditChain.link(event("FORGED: nothing happened here"), 10, AuditChain.bytes(extended.get(9).getHash())));
        trail.put(0, extended);
        assertThat(verifyChainsOnly(trail).clean()).as("what the unsigned chain said").isTrue();

        final Report report = verify(trail, checkpoints);

        assertThat(kinds(report)).containsExactly(ProblemKind.APPENDED);
        assertThat(report.problems().get(0).detail()).contains("sequence 10 (1 record) after the last signed checkpoint (sequence 9)");
    }

    @Test
    void aCrossPartitionReplayIsReportedAsReplayed() {
        final Map<Integer, List<AuditEvent>> genuine = Map.of(0, chain(0, 6));
        // Partition 0's records, copied as they are into (empty) partition 1.
        final Map<Integer, List<AuditEvent>> trail = Map.of(0, genuine.get(0), 1, genuine.get(0));
        final List<AuditCheckpoint> checkpoints = List.of(checkpoint(genuine, 0, 5));

        final Report report = verify(trail, checkpoints);

        assertThat(report.problems()).allMatch(p -> p.partition() == 1);
        assertThat(kinds(report)).contains(ProblemKind.REPLAYED, ProblemKind.APPENDED);
        assertThat(report.problems()).filteredOn(p -> p.kind() == ProblemKind.REPLAYED).extracting(Problem::detail)
                .anySatisfy(d -> assertThat(d).contains("not this partition's genesis"))
                .anySatisfy(d -> assertThat(d).contains("sequence 5 of partition 0"));
    }

    @Test
    void aTailTruncatedBelowTheLastCheckpointIsReported() {
        final Map<Integer, List<AuditEvent>> genuine = Map.of(0, chain(0, 10));
        final List<AuditCheckpoint> checkpoints = List.of(checkpoint(genuine, 0, 9));
        final Map<Integer, List<AuditEvent>> truncated = Map.of(0, genuine.get(0).subList(0, 7));
        assertThat(verifyChainsOnly(truncated).clean()).as("a shorter chain is still a chain").isTrue();

        final Report report = verify(truncated, checkpoints);

        assertThat(kinds(report)).containsExactly(ProblemKind.GAP);
        assertThat(report.problems().get(0).detail()).contains("the tail was truncated (at least 3 records)");
    }

    @Test
    void aRewrittenChainIsReportedAgainstTheCheckpoint() {
        final Map<Integer, List<AuditEvent>> genuine = Map.of(0, chain(0, 10));
        final List<AuditCheckpoint> checkpoints = List.of(checkpoint(genuine, 0, 9));
        // From sequence 5 on, the attacker rewrites the records and recomputes every hash: a valid chain.
        final List<AuditEvent> rewritten = new ArrayList<>(genuine.get(0).subList(0, 5));
        for (int s = 5; s < 10; s++) {
            rewritten.add(AuditChain.link(event("rewritten " + s), s, AuditChain.bytes(rewritten.get(s - 1).getHash())));
        }
        final Map<Integer, List<AuditEvent>> trail = Map.of(0, rewritten);
        assertThat(verifyChainsOnly(trail).clean()).isTrue();

        final Report report = verify(trail, checkpoints);

        assertThat(kinds(report)).containsExactly(ProblemKind.EDITED);
        assertThat(report.problems().get(0).detail()).contains("does not match the anchored head", "rewritten");
    }

    @Test
    void aCheckpointSignedByAnotherKeyCoversNothing() {
        final Map<Integer, List<AuditEvent>> trail = Map.of(0, chain(0, 5));
        final AuditCheckpoint forged = sign(attackerKey.getPrivate(), TOPIC, 0, 4, trail.get(0).get(4));
        final String altered = checkpoint(trail, 0, 2).toLine().replace(" 2 ", " 4 ");

        final Report report = new AuditTrailVerifier(TOPIC, List.of(), false,
                new Checkpoints(List.of(chainerKey.getPublic()), List.of(forged.toLine(), altered, "garbage"))).report();
        final Report withRecords = verify(trail, List.of(forged));

        assertThat(kinds(report)).containsExactly(ProblemKind.BAD_CHECKPOINT, ProblemKind.BAD_CHECKPOINT,
                ProblemKind.BAD_CHECKPOINT);
        assertThat(kinds(withRecords)).containsExactlyInAnyOrder(ProblemKind.BAD_CHECKPOINT, ProblemKind.APPENDED);
    }

    @Test
    void theLineFormatRoundTripsAndRefusesJunk() {
        final AuditCheckpoint c = checkpoint(Map.of(0, chain(0, 3)), 0, 2);
        final AuditCheckpoint parsed = AuditCheckpoint.parse(c.toLine());
        assertThat(parsed.toLine()).isEqualTo(c.toLine());
        assertThat(parsed.verifiedBy(chainerKey.getPublic())).isTrue();
        assertThat(parsed.verifiedBy(attackerKey.getPublic())).isFalse();
        for (final String junk : new String[] {"", "sealstream-audit-checkpoint-v1", c.toLine() + " extra",
                c.toLine().replace(TOPIC, "bad topic"), "x".repeat(5000)}) {
            assertThatThrownBy(() -> AuditCheckpoint.parse(junk)).as(junk.length() > 60 ? "long" : junk)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** {@code n} records chained as the chainer chains partition {@code partition} of {@link #TOPIC}. */
    private static List<AuditEvent> chain(final int partition, final int n) {
        final List<AuditEvent> out = new ArrayList<>();
        byte[] previous = AuditChain.genesisHash(TOPIC, partition);
        for (int i = 0; i < n; i++) {
            final AuditEvent chained = AuditChain.link(event("p" + partition + "-" + i), i, previous);
            previous = AuditChain.bytes(chained.getHash());
            out.add(chained);
        }
        return out;
    }

    private static AuditEvent event(final String id) {
        return AuditEvent.newBuilder().setAuditId("ENCRYPT:" + id).setTime(Instant.ofEpochMilli(1_767_225_600_000L))
                .setAction(AuditAction.ENCRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("alice")
                .setService("sealstream/test").build();
    }

    private AuditCheckpoint checkpoint(final Map<Integer, List<AuditEvent>> trail, final int partition, final int sequence) {
        return sign(chainerKey.getPrivate(), TOPIC, partition, sequence, trail.get(partition).get(sequence));
    }

    private static AuditCheckpoint sign(final PrivateKey key, final String topic, final int partition,
                                        final long sequence, final AuditEvent head) {
        final byte[] hash = AuditChain.bytes(head.getHash());
        final Instant time = Instant.ofEpochMilli(1_767_225_700_000L);
        try {
            final Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(AuditCheckpoint.signedBytes(topic, partition, sequence, hash, time, "local:audit@1", "Ed25519"));
            return new AuditCheckpoint(topic, partition, sequence, hash, time, "local:audit@1", "Ed25519", signer.sign());
        } catch (final java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private Report verify(final Map<Integer, List<AuditEvent>> trail, final List<AuditCheckpoint> checkpoints) {
        return feed(new AuditTrailVerifier(TOPIC, List.of(), false,
                Checkpoints.of(List.of(chainerKey.getPublic()), checkpoints)), trail);
    }

    /** What verify said before checkpoints and partition binding: the chains alone. */
    private static Report verifyChainsOnly(final Map<Integer, List<AuditEvent>> trail) {
        return feed(new AuditTrailVerifier(TOPIC, List.of(), false, null), trail);
    }

    private static Report feed(final AuditTrailVerifier verifier, final Map<Integer, List<AuditEvent>> trail) {
        new TreeMap<>(trail).forEach((partition, events) -> {
            final io.sealstream.audit.PartitionCheck check = verifier.partition(partition, false);
            for (int i = 0; i < events.size(); i++) {
                check.record(i, events.get(i));
            }
        });
        return verifier.report();
    }

    private static List<ProblemKind> kinds(final Report report) {
        return report.problems().stream().map(Problem::kind).toList();
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
