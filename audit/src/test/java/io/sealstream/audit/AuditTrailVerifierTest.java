package io.sealstream.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.audit.AuditTrailVerifier.ExpectedHead;
import io.sealstream.audit.AuditTrailVerifier.PartitionSummary;
import io.sealstream.audit.AuditTrailVerifier.Problem;
import io.sealstream.audit.AuditTrailVerifier.ProblemKind;
import io.sealstream.audit.AuditTrailVerifier.Report;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.KeyReference;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of tampering, one at a time, against the Kafka-free verifier. */
class AuditTrailVerifierTest {

    /** A record as it sits in a partition: its offset and its (possibly tampered) event. */
    private record Stored(long offset, AuditEvent event) {
    }

    /** {@code n} chained events from sequence {@code from}, at offsets 0, 2, 4… (transaction markers in between). */
    private static List<Stored> chain(final int n, final long from) {
        final List<Stored> out = new ArrayList<>();
        byte[] previous = from == 0 ? AuditChain.genesisHash() : new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
        for (int i = 0; i < n; i++) {
            final AuditEvent chained = AuditChain.link(event(i), from + i, previous);
            previous = AuditChain.bytes(chained.getHash());
            out.add(new Stored(2L * i, chained));
        }
        return out;
    }

    private static AuditEvent event(final int i) {
        final boolean ok = i % 3 != 2;
        return AuditEvent.newBuilder()
                .setAuditId("ENCRYPT:evt-" + i)
                .setTime(Instant.ofEpochMilli(1_767_225_600_000L + i))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(ok ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE)
                .setActor("alice@acme")
                .setService("sealstream/test")
                .setEventId("evt-" + i)
                .setTenant("acme")
                .setBucket("invoices")
                .setObjectKey("k" + i)
                .setLocation(ok ? "s3://sealstream/acme/invoices/k" + i : null)
                .setDekId(ok ? "dek-1" : null)
                .setKek(ok ? new KeyReference("local", "kek-acme", "1") : null)
                .setReasonCode(ok ? null : "CHECKSUM_MISMATCH")
                .setMessage(ok ? null : "sha-256 differs")
                .setSource("sealstream.uploads/0@" + i)
                .build();
    }

    private static Report verify(final List<Stored> records) {
        return verify(records, false, List.of());
    }

    private static Report verify(final List<Stored> records, final boolean earlierDeleted, final List<ExpectedHead> heads) {
        final AuditTrailVerifier verifier = new AuditTrailVerifier(heads);
        final io.sealstream.audit.PartitionCheck check = verifier.partition(0, earlierDeleted);
        records.forEach(r -> check.record(r.offset(), r.event()));
        return verifier.report();
    }

    private static List<ProblemKind> kinds(final Report report) {
        return report.problems().stream().map(Problem::kind).toList();
    }

    private static Stored edit(final Stored stored, final Consumer<AuditEvent> change) {
        final AuditEvent copy = AuditChain.copyOf(stored.event());
        change.accept(copy);
        return new Stored(stored.offset(), copy);
    }

    @Test
    void aCleanTrailPassesAndItsSummaryNamesTheHead() {
        final List<Stored> trail = chain(10, 0);
        final Report report = verify(trail);
        assertThat(report.clean()).isTrue();
        assertThat(report.records()).isEqualTo(10);
        final PartitionSummary p = report.partitions().get(0);
        assertThat(p.firstSequence()).isZero();
        assertThat(p.lastSequence()).isEqualTo(9);
        assertThat(p.headHash()).isEqualTo(AuditChain.bytes(trail.get(9).event().getHash()));
        assertThat(p.anchor()).isEqualTo("0:9:" + AuditChain.hex(p.headHash()));
        assertThat(p.warnings()).isEmpty();
        assertThat(report.summary()).isEqualTo("10 records in 1 partition: every chain intact -> OK");
    }

    @Test
    void anEmptyPartitionIsClean() {
        final Report report = verify(List.of());
        assertThat(report.clean()).isTrue();
        assertThat(report.partitions().get(0).records()).isZero();
        assertThat(report.partitions().get(0).lastSequence()).isNull();
        assertThat(report.partitions().get(0).anchor()).isNull();
    }

    @Test
    void oneRemovedRecordIsAGapAtItsSuccessor() {
        final List<Stored> trail = chain(10, 0);
        trail.remove(4);
        final Report report = verify(trail);
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.GAP);
            assertThat(p.offset()).isEqualTo(10); // sequence 5's offset
            assertThat(p.sequence()).isEqualTo(5);
            assertThat(p.detail()).contains("sequence 4 missing");
        });
        assertThat(report.summary()).endsWith("1 problem (1 GAP) -> FAILED");
    }

    @Test
    void severalRemovedRecordsAreOneGapNamingTheRange() {
        final List<Stored> trail = chain(10, 0);
        trail.subList(3, 6).clear();
        assertThat(verify(trail).problems()).singleElement()
                .satisfies(p -> assertThat(p.detail()).contains("sequences 3..5 missing").contains("3 records"));
    }

    @Test
    void removingTheFirstRecordIsAGapWhenTheLogStartWasNeverDeleted() {
        final List<Stored> trail = chain(5, 0);
        trail.remove(0);
        assertThat(kinds(verify(trail))).containsExactly(ProblemKind.GAP);
    }

    @Test
    void aTrailStartingLaterBecauseOfRetentionIsAWarningAndIsCheckedFromThere() {
        final List<Stored> trail = chain(6, 40);
        final Report report = verify(trail, true, List.of());
        assertThat(report.clean()).isTrue();
        assertThat(report.partitions().get(0).firstSequence()).isEqualTo(40);
        assertThat(report.partitions().get(0).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("starts at sequence 40").contains("retention"));
        // ... and is still checked from there.
        trail.remove(3);
        assertThat(kinds(verify(trail, true, List.of()))).containsExactly(ProblemKind.GAP);
    }

    static Stream<Arguments> edits() {
        return Stream.of(
                Arguments.of("a required string", (Consumer<AuditEvent>) e -> e.setActor("mallory")),
                Arguments.of("a nullable string, value to another", (Consumer<AuditEvent>) e -> e.setObjectKey("other")),
                Arguments.of("a nullable string, value to null", (Consumer<AuditEvent>) e -> e.setTenant(null)),
                Arguments.of("a nullable string, null to value", (Consumer<AuditEvent>) e -> e.setReasonCode("NONE")),
                Arguments.of("an empty string for null", (Consumer<AuditEvent>) e -> e.setMessage("")),
                Arguments.of("the action enum", (Consumer<AuditEvent>) e -> e.setAction(AuditAction.DECRYPT)),
                Arguments.of("the outcome enum", (Consumer<AuditEvent>) e -> e.setOutcome(AuditOutcome.FAILURE)),
                Arguments.of("the timestamp by 1 ms", (Consumer<AuditEvent>) e -> e.setTime(e.getTime().plusMillis(1))),
                Arguments.of("the KEK version", (Consumer<AuditEvent>) e -> e.setKek(new KeyReference("local", "kek-acme", "2"))),
                Arguments.of("the KEK, value to null", (Consumer<AuditEvent>) e -> e.setKek(null)),
                Arguments.of("the audit id", (Consumer<AuditEvent>) e -> e.setAuditId("ENCRYPT:evt-x")),
                Arguments.of("the source", (Consumer<AuditEvent>) e -> e.setSource(null)),
                Arguments.of("one bit of the stored hash", (Consumer<AuditEvent>) e -> {
                    final byte[] h = AuditChain.bytes(e.getHash());
                    h[0] ^= 1;
                    e.setHash(ByteBuffer.wrap(h));
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void anEditOfAnyFieldIsReportedOnceAtThatRecord(final String what, final Consumer<AuditEvent> change) {
        final List<Stored> trail = chain(6, 0);
        trail.set(4, edit(trail.get(4), change));
        final Report report = verify(trail);
        assertThat(report.problems()).as(what).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.EDITED);
            assertThat(p.offset()).isEqualTo(8);
            assertThat(p.sequence()).isEqualTo(4);
        });
    }

    @Test
    void aNullFieldGivenAValueIsAnEditToo() {
        final List<Stored> trail = chain(6, 0);
        // Record 2 is a FAILURE: no location, no KEK.
        assertThat(trail.get(2).event().getKek()).isNull();
        trail.set(2, edit(trail.get(2), e -> e.setKek(new KeyReference("local", "kek-acme", "1"))));
        trail.set(5, edit(trail.get(5), e -> e.setLocation("s3://elsewhere/x")));
        assertThat(verify(trail).problems()).extracting(Problem::kind, Problem::sequence)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ProblemKind.EDITED, 2L),
                        org.assertj.core.groups.Tuple.tuple(ProblemKind.EDITED, 5L));
    }

    @Test
    void anEditWhoseHashWasRecomputedBreaksTheNextLink() {
        final List<Stored> trail = chain(6, 0);
        final AuditEvent original = trail.get(2).event();
        final AuditEvent forged = AuditChain.copyOf(original);
        forged.setActor("mallory");
        // The forger knows the algorithm and recomputes the record's own hash; the successor still names the original.
        trail.set(2, new Stored(4, AuditChain.link(forged, 2, AuditChain.bytes(original.getPreviousHash()))));
        assertThat(verify(trail).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.EDITED);
            assertThat(p.sequence()).isEqualTo(3);
            assertThat(p.detail()).contains("previousHash is not the hash of sequence 2");
        });
    }

    @Test
    void renumberingARecordIsAnEdit() {
        final List<Stored> trail = chain(6, 0);
        trail.set(3, edit(trail.get(3), e -> e.setChainSequence(30L)));
        assertThat(kinds(verify(trail))).contains(ProblemKind.EDITED);
    }

    @Test
    void twoSwappedRecordsAreReorderedAndNothingElse() {
        final List<Stored> trail = chain(8, 0);
        final Stored a = trail.get(3);
        final Stored b = trail.get(4);
        // Swap the records, keeping the offsets in order (they are read in offset order).
        trail.set(3, new Stored(a.offset(), b.event()));
        trail.set(4, new Stored(b.offset(), a.event()));
        final Report report = verify(trail);
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.REORDERED);
            assertThat(p.sequence()).isEqualTo(3);
            assertThat(p.offset()).isEqualTo(8);
        });
        assertThat(report.partitions().get(0).lastSequence()).isEqualTo(7);
    }

    @Test
    void aRecordMovedFarBackIsReordered() {
        final List<Stored> trail = chain(8, 0);
        final List<AuditEvent> events = new ArrayList<>(trail.stream().map(Stored::event).toList());
        Collections.rotate(events.subList(1, 7), -1); // sequence 1 now comes after 6
        final List<Stored> moved = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            moved.add(new Stored(2L * i, events.get(i)));
        }
        assertThat(verify(moved).problems()).singleElement()
                .satisfies(p -> assertThat(p.kind()).isEqualTo(ProblemKind.REORDERED));
    }

    @Test
    void aCopiedRecordIsADuplicate() {
        final List<Stored> trail = chain(6, 0);
        trail.add(new Stored(100, trail.get(2).event()));
        assertThat(verify(trail).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.DUPLICATE);
            assertThat(p.offset()).isEqualTo(100);
            assertThat(p.detail()).contains("copy of the record at offset 4");
        });
    }

    @Test
    void aChainRestartedAtZeroIsReportedAsDuplicates() {
        // What a lost chain-head store would produce: a second chain starting again at sequence 0.
        final List<Stored> restarted = chain(4, 0);
        final AuditEvent other = AuditChain.link(event(9), 0, AuditChain.genesisHash());
        restarted.add(new Stored(100, other));
        assertThat(verify(restarted).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.DUPLICATE);
            assertThat(p.detail()).contains("forked or restarted");
        });
    }

    @Test
    void aRecordWithoutChainFieldsIsUnchained() {
        final List<Stored> trail = chain(6, 0);
        trail.add(3, new Stored(5, event(42)));
        final AuditEvent shortHash = event(43);
        shortHash.setChainSequence(9L);
        shortHash.setPreviousHash(ByteBuffer.wrap(new byte[32]));
        shortHash.setHash(ByteBuffer.wrap(new byte[3]));
        trail.add(new Stored(50, shortHash));
        assertThat(verify(trail).problems()).extracting(Problem::kind, Problem::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ProblemKind.UNCHAINED, 5L),
                        org.assertj.core.groups.Tuple.tuple(ProblemKind.UNCHAINED, 50L));
    }

    @Test
    void aPrefixWrittenBeforeTheChainExistedIsAWarningOnlyWhenAcceptedAndOnlyAsAPrefix() {
        final List<Stored> trail = new ArrayList<>();
        trail.add(new Stored(0, event(90)));
        trail.add(new Stored(1, event(91)));
        for (Stored s : chain(4, 0)) {
            trail.add(new Stored(10 + s.offset(), s.event()));
        }
        assertThat(kinds(verify(trail))).containsExactly(ProblemKind.UNCHAINED, ProblemKind.UNCHAINED);

        final AuditTrailVerifier accepting = new AuditTrailVerifier(List.of(), true);
        final io.sealstream.audit.PartitionCheck check = accepting.partition(0, false);
        trail.forEach(s -> check.record(s.offset(), s.event()));
        check.record(99, event(92)); // after the chain started: still a problem
        final Report report = accepting.report();
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.UNCHAINED);
            assertThat(p.offset()).isEqualTo(99);
        });
        assertThat(report.partitions().get(0).warnings()).singleElement()
                .satisfies(w -> assertThat(w).startsWith("2 unchained records from offset 0 before the chain starts"));
        assertThat(report.partitions().get(0).firstSequence()).isZero();
    }

    @Test
    void anUnreadableRecordIsReportedOnceAndTheSequenceItHeldIsNotAlsoAGap() {
        final List<Stored> trail = chain(6, 0);
        final AuditTrailVerifier verifier = new AuditTrailVerifier();
        final io.sealstream.audit.PartitionCheck check = verifier.partition(0, false);
        for (Stored s : trail) {
            if (s.event().getChainSequence() == 3) {
                check.unreadable(s.offset(), "not the registry's wire format");
            } else {
                check.record(s.offset(), s.event());
            }
        }
        final Report report = verifier.report();
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.UNREADABLE);
            assertThat(p.offset()).isEqualTo(6);
        });
        assertThat(report.records()).isEqualTo(6);
    }

    @Test
    void partitionsAreCheckedIndependently() {
        final AuditTrailVerifier verifier = new AuditTrailVerifier();
        final List<Stored> p0 = chain(5, 0);
        final List<Stored> p1 = chain(3, 0);
        p1.remove(1);
        final io.sealstream.audit.PartitionCheck c0 = verifier.partition(0, false);
        final io.sealstream.audit.PartitionCheck c1 = verifier.partition(1, false);
        final io.sealstream.audit.PartitionCheck c2 = verifier.partition(2, false);
        p0.forEach(s -> c0.record(s.offset(), s.event()));
        p1.forEach(s -> c1.record(s.offset(), s.event()));
        final Report report = verifier.report();
        assertThat(report.partitions()).extracting(PartitionSummary::records).containsExactly(5L, 2L, 0L);
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.partition()).isEqualTo(1);
            assertThat(p.kind()).isEqualTo(ProblemKind.GAP);
        });
        assertThatThrownBy(() -> verifier.partition(1, false)).isInstanceOf(IllegalStateException.class);
        assertThat(c2).isNotNull();
    }

    @Test
    void anAnchoredHeadCatchesTailTruncationAndARewrite() {
        final List<Stored> trail = chain(10, 0);
        final ExpectedHead head = ExpectedHead.parse("0:9:" + AuditChain.hex(AuditChain.bytes(trail.get(9).event().getHash())));
        assertThat(verify(trail, false, List.of(head)).clean()).isTrue();
        final ExpectedHead earlier = new ExpectedHead(0, 6, AuditChain.bytes(trail.get(6).event().getHash()));
        assertThat(verify(trail, false, List.of(earlier)).clean()).as("an older anchor still inside the trail").isTrue();

        // Without the anchor, a truncated tail looks like a shorter valid chain.
        final List<Stored> truncated = new ArrayList<>(trail.subList(0, 7));
        assertThat(verify(truncated).clean()).isTrue();
        assertThat(verify(truncated, false, List.of(head)).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ProblemKind.GAP);
            assertThat(p.offset()).isEqualTo(AuditTrailVerifier.NO_OFFSET);
            assertThat(p.detail()).contains("tail was truncated").contains("ends at sequence 6");
        });

        // A rewrite of the whole chain (every hash recomputed) verifies on its own, but not against the anchor.
        final List<Stored> rewritten = new ArrayList<>();
        byte[] previous = AuditChain.genesisHash();
        for (Stored s : trail) {
            final AuditEvent forged = AuditChain.copyOf(s.event());
            forged.setActor("mallory");
            final AuditEvent linked = AuditChain.link(forged, s.event().getChainSequence(), previous);
            previous = AuditChain.bytes(linked.getHash());
            rewritten.add(new Stored(s.offset(), linked));
        }
        assertThat(verify(rewritten).clean()).isTrue();
        assertThat(kinds(verify(rewritten, false, List.of(head)))).containsExactly(ProblemKind.EDITED);
    }

    @Test
    void anAnchorForAMissingPartitionIsAProblem() {
        final AuditTrailVerifier verifier = new AuditTrailVerifier(List.of(new ExpectedHead(3, 0, new byte[32])));
        verifier.partition(0, false);
        assertThat(verifier.report().problems()).singleElement().satisfies(p -> {
            assertThat(p.partition()).isEqualTo(3);
            assertThat(p.kind()).isEqualTo(ProblemKind.GAP);
        });
    }

    @Test
    void expectedHeadsParseStrictly() {
        final ExpectedHead h = ExpectedHead.parse("2:17:" + "ab".repeat(32));
        assertThat(h.partition()).isEqualTo(2);
        assertThat(h.sequence()).isEqualTo(17);
        assertThat(h.toString()).isEqualTo("2:17:" + "ab".repeat(32));
        for (String bad : List.of("2:17", "x:1:" + "ab".repeat(32), "1:2:abc", "1:2:" + "zz".repeat(32),
                "-1:0:" + "ab".repeat(32), "1:2:" + "ab".repeat(31))) {
            assertThatThrownBy(() -> ExpectedHead.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
