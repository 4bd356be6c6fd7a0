package io.sealstream.audit;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks audit-topic partitions against the hash chain ({@link AuditChain}), with no Kafka in sight: the caller feeds
 * each partition's records in offset order ({@link #partition}), then asks for the {@link Report}.
 *
 * <p>Per partition it checks that sequences are contiguous, that each {@code previousHash} is its predecessor's
 * {@code hash}, that each {@code hash} recomputes, and that no record is unchained or repeated. It streams: memory is
 * a bounded window of recent sequences plus the open gaps, whatever the partition's length, so a reordering is
 * recognised as such (rather than as a gap) when it stays within {@value #WINDOW} records.
 *
 * <p>What it cannot see on its own: records removed from the <em>end</em> of a partition (the shorter chain is
 * still a valid chain) and a chain rewritten from some point on by someone who can write the audit topic (they can
 * recompute every hash). Both are caught only against heads anchored outside Kafka ({@link ExpectedHead}).
 */
public final class AuditTrailVerifier {

    /** How many recent sequences are remembered per partition for link, reorder and duplicate checks. */
    static final int WINDOW = 100_000;
    /** The offset of a problem that is about no particular record (an anchored head, a missing partition). */
    public static final long NO_OFFSET = -1;

    /** What can be wrong with a record. */
    public enum ProblemKind {
        /** Sequences are missing: records were removed (or, at the tail, the anchored head is not there). */
        GAP,
        /** A record's content is not what was chained: its hash does not recompute, or the link to it is broken. */
        EDITED,
        /** A record appears after records with higher sequences. */
        REORDERED,
        /** A record without valid chain fields: it was not written by the chainer. */
        UNCHAINED,
        /** A sequence that appeared before: a copied record, or a second chain. */
        DUPLICATE,
        /** A record that could not be decoded at all. */
        UNREADABLE
    }

    /**
     * One problem, at the record where it was noticed.
     *
     * @param offset   the record's offset, or {@link #NO_OFFSET}
     * @param sequence the record's chain sequence, or null if it has none (unreadable, unchained, anchor checks)
     */
    public record Problem(int partition, long offset, Long sequence, ProblemKind kind, String detail) {
    }

    /** A head recorded outside Kafka: partition {@code partition} had reached {@code sequence} with {@code hash}. */
    public record ExpectedHead(int partition, long sequence, byte[] hash) {
        public ExpectedHead {
            if (partition < 0 || sequence < 0) {
                throw new IllegalArgumentException("partition and sequence must be >= 0");
            }
            if (hash == null || hash.length != AuditChain.HASH_BYTES) {
                throw new IllegalArgumentException("an anchored hash is " + AuditChain.HASH_BYTES * 2 + " hex digits");
            }
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        /** Parses {@code PARTITION:SEQUENCE:HASHHEX}, the form the verifier prints as each partition's anchor. */
        public static ExpectedHead parse(final String text) {
            final String[] parts = text.trim().split(":", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("expected PARTITION:SEQUENCE:HASHHEX, got '" + text + "'");
            }
            try {
                return new ExpectedHead(Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                        HexFormat.of().parseHex(parts[2]));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("expected PARTITION:SEQUENCE:HASHHEX with decimal numbers and "
                        + AuditChain.HASH_BYTES * 2 + " hex digits, got '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return partition + ":" + sequence + ":" + AuditChain.hex(hash);
        }
    }

    /**
     * What one partition holds.
     *
     * @param records       every record read, chained or not
     * @param firstSequence the lowest sequence seen, or null if no chained record
     * @param lastSequence  the highest sequence seen, or null
     * @param headHash      the hash of {@code lastSequence}'s record, or null
     * @param warnings      things to know that are not problems (the trail starts after sequence 0 by retention)
     */
    public record PartitionSummary(int partition, long records, Long firstSequence, Long lastSequence, byte[] headHash,
                                   List<String> warnings) {
        /** {@code PARTITION:SEQUENCE:HASHHEX}, to anchor outside Kafka and pass back as {@code --expect-head}. */
        public String anchor() {
            return lastSequence == null ? null : partition + ":" + lastSequence + ":" + AuditChain.hex(headHash);
        }
    }

    /** The verdict: clean when there is no problem (warnings do not count). */
    public record Report(List<PartitionSummary> partitions, List<Problem> problems) {
        public boolean clean() {
            return problems.isEmpty();
        }

        public long records() {
            return partitions.stream().mapToLong(PartitionSummary::records).sum();
        }

        public Map<ProblemKind, Long> countsByKind() {
            final Map<ProblemKind, Long> counts = new EnumMap<>(ProblemKind.class);
            problems.forEach(p -> counts.merge(p.kind(), 1L, Long::sum));
            return counts;
        }

        /** One line: records, partitions, problems by kind, verdict. */
        public String summary() {
            final StringBuilder s = new StringBuilder();
            s.append(records()).append(records() == 1 ? " record" : " records").append(" in ")
                    .append(partitions.size()).append(partitions.size() == 1 ? " partition: " : " partitions: ");
            if (clean()) {
                return s.append("every chain intact -> OK").toString();
            }
            s.append(problems.size()).append(problems.size() == 1 ? " problem (" : " problems (");
            final List<String> kinds = new ArrayList<>();
            countsByKind().forEach((kind, n) -> kinds.add(n + " " + kind));
            return s.append(String.join(", ", kinds)).append(") -> FAILED").toString();
        }
    }

    private final Map<Integer, List<ExpectedHead>> expectedHeads = new HashMap<>();
    private final Map<Integer, PartitionCheck> checks = new TreeMap<>();
    private final boolean acceptUnchainedPrefix;

    public AuditTrailVerifier() {
        this(List.of());
    }

    public AuditTrailVerifier(final List<ExpectedHead> heads) {
        this(heads, false);
    }

    /**
     * @param heads                 heads anchored outside Kafka
     * @param acceptUnchainedPrefix whether unchained records <em>before</em> a partition's first chained record are a
     *                              warning rather than problems: a trail begun by a sealstream version without the
     *                              chain. Off by default: on an empty partition it would also let records injected
     *                              before the chainer's first write pass
     */
    public AuditTrailVerifier(final List<ExpectedHead> heads, final boolean acceptUnchainedPrefix) {
        this.acceptUnchainedPrefix = acceptUnchainedPrefix;
        for (ExpectedHead h : heads) {
            expectedHeads.computeIfAbsent(h.partition(), p -> new ArrayList<>()).add(h);
        }
    }

    /**
     * Starts checking one partition.
     *
     * @param earlierRecordsDeleted whether records before the first one read were deleted from the log (its start
     *                              offset is above 0, normally by retention). If so a trail starting after sequence 0
     *                              is a warning; if not it is a gap
     */
    public PartitionCheck partition(final int partition, final boolean earlierRecordsDeleted) {
        if (checks.containsKey(partition)) {
            throw new IllegalStateException("partition " + partition + " is already being checked");
        }
        final PartitionCheck check = new PartitionCheck(partition, earlierRecordsDeleted,
                expectedHeads.getOrDefault(partition, List.of()), acceptUnchainedPrefix);
        checks.put(partition, check);
        return check;
    }

    /** The verdict over every partition checked; an anchored head of a partition never read is a problem. */
    public Report report() {
        final List<PartitionSummary> summaries = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        for (PartitionCheck check : checks.values()) {
            check.finish();
            summaries.add(check.summary());
            problems.addAll(check.problems);
        }
        for (Map.Entry<Integer, List<ExpectedHead>> e : new TreeMap<>(expectedHeads).entrySet()) {
            if (!checks.containsKey(e.getKey())) {
                for (ExpectedHead h : e.getValue()) {
                    problems.add(new Problem(h.partition(), NO_OFFSET, null, ProblemKind.GAP, "the anchored head " + h
                            + " names a partition the topic does not have: the partition is gone"));
                }
            }
        }
        // Problems about no particular record (anchors) come last in their partition.
        problems.sort(Comparator.comparingInt(Problem::partition)
                .thenComparingLong(p -> p.offset() == NO_OFFSET ? Long.MAX_VALUE : p.offset()));
        return new Report(List.copyOf(summaries), List.copyOf(problems));
    }

    /** One partition's check; feed it records in offset order. */
    public static final class PartitionCheck {

        /**
         * A chained record as a successor will link to it. For a record whose hash does not recompute, either its
         * content or its hash field was changed: the successor's link is accepted against either value, so one edit
         * is one problem.
         */
        private record Seen(long offset, byte[] hash, byte[] recomputed) {
            boolean linkedBy(final byte[] previousHash) {
                return MessageDigest.isEqual(hash, previousHash)
                        || recomputed != null && MessageDigest.isEqual(recomputed, previousHash);
            }
        }

        /** A record whose predecessor had not been seen yet when it arrived: its link is checked when it comes. */
        private record PendingLink(long offset, long sequence, byte[] previousHash) {
        }

        /** Sequences {@code from..to} not seen (yet), noticed at the record at {@code offset}. */
        private record Missing(long from, long to, long offset, long sequence) {
        }

        private final int partition;
        private final boolean earlierRecordsDeleted;
        private final boolean acceptUnchainedPrefix;
        /** Unchained records before the first chained one, when they are accepted. */
        private long unchainedPrefix;
        private long unchainedPrefixFirstOffset = NO_OFFSET;
        private final List<ExpectedHead> anchors;
        private final List<Problem> problems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final LinkedHashMap<Long, Seen> recent = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Long, Seen> eldest) {
                return size() > WINDOW;
            }
        };
        private final Map<Long, PendingLink> pendingLinks = new HashMap<>();
        private final TreeMap<Long, Missing> missing = new TreeMap<>();
        private final Map<Long, byte[]> anchoredHashes = new HashMap<>();
        private final TreeSet<Long> anchoredSequences = new TreeSet<>();
        private long records;
        private Long firstSequence;
        private Long maxSequence;
        private Seen maxSeen;
        /** Unreadable records since the last chained one: a gap of at most this many is theirs, not a removal. */
        private int unreadableRun;
        private boolean finished;

        private PartitionCheck(final int partition, final boolean earlierRecordsDeleted, final List<ExpectedHead> anchors,
                               final boolean acceptUnchainedPrefix) {
            this.partition = partition;
            this.earlierRecordsDeleted = earlierRecordsDeleted;
            this.acceptUnchainedPrefix = acceptUnchainedPrefix;
            this.anchors = anchors;
            anchors.forEach(a -> anchoredSequences.add(a.sequence()));
        }

        /** A record that could not be decoded (not the wire format, unknown schema, no value). */
        public void unreadable(final long offset, final String reason) {
            checkOpen();
            records++;
            unreadableRun++;
            problem(offset, null, ProblemKind.UNREADABLE, reason);
        }

        /** A decoded record. */
        public void record(final long offset, final AuditEvent event) {
            checkOpen();
            Objects.requireNonNull(event, "event");
            records++;
            final Long sequenceField = event.getChainSequence();
            final byte[] previous = event.getPreviousHash() == null ? null : AuditChain.bytes(event.getPreviousHash());
            final byte[] hash = event.getHash() == null ? null : AuditChain.bytes(event.getHash());
            if (sequenceField == null || sequenceField < 0 || previous == null || hash == null
                    || previous.length != AuditChain.HASH_BYTES || hash.length != AuditChain.HASH_BYTES) {
                if (acceptUnchainedPrefix && maxSequence == null && unreadableRun == 0 && !hasProblems()) {
                    if (unchainedPrefix++ == 0) {
                        unchainedPrefixFirstOffset = offset;
                    }
                    return;
                }
                problem(offset, null, ProblemKind.UNCHAINED, "no valid chain fields (auditId "
                        + event.getAuditId() + "): not written by the chainer");
                return;
            }
            final long sequence = sequenceField;
            final int unreadableBefore = unreadableRun;
            unreadableRun = 0;
            final byte[] recomputed = AuditChain.expectedHash(event);
            final boolean intact = MessageDigest.isEqual(recomputed, hash);
            if (!intact) {
                problem(offset, sequence, ProblemKind.EDITED, "the hash does not recompute: a field was changed after"
                        + " chaining (auditId " + event.getAuditId() + ")" + (event.getAction() == AuditAction.UNKNOWN
                        ? "; its action reads as UNKNOWN, so if the writer is newer than this verifier, upgrade the"
                        + " verifier and check again" : ""));
            }
            final Seen seen = new Seen(offset, hash, intact ? null : recomputed);
            if (maxSequence == null) {
                first(offset, sequence, previous, seen);
                return;
            }
            if (sequence == maxSequence + 1) {
                checkLink(offset, sequence, previous);
                advance(sequence, seen);
            } else if (sequence > maxSequence + 1) {
                final long from = maxSequence + 1;
                final long to = sequence - 1;
                if (to - from + 1 > unreadableBefore) {
                    missing.put(from, new Missing(from, to, offset, sequence));
                    pendingLinks.put(sequence - 1, new PendingLink(offset, sequence, previous));
                }
                advance(sequence, seen);
            } else {
                late(offset, sequence, previous, seen);
            }
        }

        private void first(final long offset, final long sequence, final byte[] previous, final Seen seen) {
            firstSequence = sequence;
            if (sequence == 0) {
                if (!MessageDigest.isEqual(previous, AuditChain.genesisHash())) {
                    problem(offset, sequence, ProblemKind.EDITED, "sequence 0's previousHash is not 32 zero bytes");
                }
            } else if (earlierRecordsDeleted) {
                warnings.add("the trail starts at sequence " + sequence + " at offset " + offset + ": the log's "
                        + "earlier records were deleted (retention), so sequences before it cannot be checked");
            } else {
                problem(offset, sequence, ProblemKind.GAP, "sequences 0.." + (sequence - 1) + " missing ("
                        + sequence + " records) before the first record, and the log start was never deleted");
            }
            advance(sequence, seen);
        }

        private void advance(final long sequence, final Seen seen) {
            maxSequence = sequence;
            maxSeen = seen;
            remember(sequence, seen);
        }

        private void remember(final long sequence, final Seen seen) {
            recent.put(sequence, seen);
            if (anchoredSequences.contains(sequence)) {
                anchoredHashes.putIfAbsent(sequence, seen.hash());
            }
            final PendingLink waiting = pendingLinks.remove(sequence);
            if (waiting != null && !seen.linkedBy(waiting.previousHash())) {
                brokenLink(waiting.offset(), waiting.sequence(), sequence, seen.offset());
            }
        }

        /** A sequence at or below the highest seen: a late (reordered) record, a duplicate, or older than the start. */
        private void late(final long offset, final long sequence, final byte[] previous, final Seen seen) {
            final Map.Entry<Long, Missing> gap = missing.floorEntry(sequence);
            if (gap != null && gap.getValue().to() >= sequence) {
                problem(offset, sequence, ProblemKind.REORDERED, "sequence " + sequence + " comes after sequence "
                        + maxSequence + ": written out of order");
                fill(gap.getValue(), sequence);
                final Seen predecessor = recent.get(sequence - 1);
                if (predecessor != null) {
                    if (!predecessor.linkedBy(previous)) {
                        brokenLink(offset, sequence, sequence - 1, predecessor.offset());
                    }
                } else if (isMissing(sequence - 1)) {
                    pendingLinks.put(sequence - 1, new PendingLink(offset, sequence, previous));
                }
                remember(sequence, seen);
            } else if (sequence < firstSequence) {
                problem(offset, sequence, ProblemKind.REORDERED, "sequence " + sequence + " comes after sequence "
                        + maxSequence + " but precedes the first record read (sequence " + firstSequence + ")");
            } else {
                final Seen earlier = recent.get(sequence);
                final String detail;
                if (earlier == null) {
                    detail = "sequence " + sequence + " was already seen (or belonged to an unreadable record)";
                } else if (MessageDigest.isEqual(earlier.hash(), seen.hash())) {
                    detail = "sequence " + sequence + " is a copy of the record at offset " + earlier.offset();
                } else {
                    detail = "a second, different record with sequence " + sequence + " (the first is at offset "
                            + earlier.offset() + "): a forked or restarted chain";
                }
                problem(offset, sequence, ProblemKind.DUPLICATE, detail);
            }
        }

        private boolean isMissing(final long sequence) {
            final Map.Entry<Long, Missing> gap = missing.floorEntry(sequence);
            return gap != null && gap.getValue().to() >= sequence;
        }

        private void fill(final Missing gap, final long sequence) {
            missing.remove(gap.from());
            if (gap.from() < sequence) {
                missing.put(gap.from(), new Missing(gap.from(), sequence - 1, gap.offset(), gap.sequence()));
            }
            if (sequence < gap.to()) {
                missing.put(sequence + 1, new Missing(sequence + 1, gap.to(), gap.offset(), gap.sequence()));
            }
        }

        private void checkLink(final long offset, final long sequence, final byte[] previous) {
            if (!maxSeen.linkedBy(previous)) {
                brokenLink(offset, sequence, maxSequence, maxSeen.offset());
            }
        }

        private void brokenLink(final long offset, final long sequence, final long predecessor,
                                final long predecessorOffset) {
            problem(offset, sequence, ProblemKind.EDITED, "previousHash is not the hash of sequence " + predecessor
                    + (predecessorOffset >= 0 ? " (offset " + predecessorOffset + ")" : "") + ": one of the two was"
                    + " rewritten with its hash recomputed, or the chain forked");
        }

        private void problem(final long offset, final Long sequence, final ProblemKind kind, final String detail) {
            problems.add(new Problem(partition, offset, sequence, kind, detail));
        }

        private boolean hasProblems() {
            return !problems.isEmpty();
        }

        private void checkOpen() {
            if (finished) {
                throw new IllegalStateException("partition " + partition + " is already finished");
            }
        }

        /** Closes the partition: open gaps become problems, anchored heads are compared. Idempotent. */
        void finish() {
            if (finished) {
                return;
            }
            finished = true;
            if (unchainedPrefix > 0) {
                warnings.add(unchainedPrefix + " unchained records from offset " + unchainedPrefixFirstOffset
                        + (maxSequence == null ? "" : " before the chain starts")
                        + ", accepted as written before the audit chain existed; they are not protected");
            }
            for (Missing gap : missing.values()) {
                final long n = gap.to() - gap.from() + 1;
                problem(gap.offset(), gap.sequence(), ProblemKind.GAP, (n == 1 ? "sequence " + gap.from()
                        : "sequences " + gap.from() + ".." + gap.to()) + " missing before sequence " + gap.sequence()
                        + " (" + n + (n == 1 ? " record" : " records") + " removed)");
            }
            for (ExpectedHead anchor : anchors) {
                checkAnchor(anchor);
            }
        }

        private void checkAnchor(final ExpectedHead anchor) {
            final long s = anchor.sequence();
            if (maxSequence == null || s > maxSequence) {
                final long n = maxSequence == null ? s + 1 : s - maxSequence;
                problem(NO_OFFSET, null, ProblemKind.GAP, "the anchored head is sequence " + s + " but the trail "
                        + (maxSequence == null ? "is empty" : "ends at sequence " + maxSequence) + ": the tail was "
                        + "truncated (at least " + n + (n == 1 ? " record" : " records") + ")");
            } else if (firstSequence != null && s < firstSequence) {
                warnings.add("the anchored head " + anchor + " precedes the trail's first record (sequence "
                        + firstSequence + "), so it cannot be compared");
            } else if (isMissing(s)) {
                return; // already a gap
            } else {
                final byte[] seen = anchoredHashes.get(s);
                if (seen != null && !MessageDigest.isEqual(seen, anchor.hash())) {
                    problem(NO_OFFSET, s, ProblemKind.EDITED, "sequence " + s + " does not match the anchored head "
                            + anchor + ": the chain was rewritten from there or before");
                }
            }
        }

        PartitionSummary summary() {
            return new PartitionSummary(partition, records, firstSequence, maxSequence,
                    maxSeen == null ? null : maxSeen.hash().clone(), List.copyOf(warnings));
        }
    }
}
