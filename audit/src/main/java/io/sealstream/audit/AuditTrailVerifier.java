package io.sealstream.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
        UNREADABLE,
        /** Records after the last signed checkpoint of their partition: no one with the chainer's key vouched for them. */
        APPENDED,
        /** A record chained for another partition or topic, copied here. */
        REPLAYED,
        /** A checkpoint whose signature no trusted key verifies, or that names another topic. */
        BAD_CHECKPOINT
    }

    /**
     * Signed checkpoints to check the trail against, and the public keys trusted to have signed them. Each valid
     * checkpoint is an anchored head; every record must be covered by one (at or below its partition's highest).
     */
    public record Checkpoints(List<java.security.PublicKey> trustedKeys, List<String> lines) {
        public Checkpoints {
            trustedKeys = List.copyOf(trustedKeys);
            lines = List.copyOf(lines);
            if (trustedKeys.isEmpty()) {
                throw new IllegalArgumentException("checking checkpoints needs at least one trusted public key");
            }
        }

        public static Checkpoints of(final List<java.security.PublicKey> trustedKeys,
                                     final List<AuditCheckpoint> checkpoints) {
            return new Checkpoints(trustedKeys, checkpoints.stream().map(AuditCheckpoint::toLine).toList());
        }
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
    /** The audit topic, whose partitions' genesis hashes are checked; null: chains that name no partition. */
    private final String topic;
    /** Whether every record must be covered by a valid checkpoint. */
    private final boolean requireCoverage;
    /** Per partition, the highest sequence a valid checkpoint covers. */
    private final Map<Integer, Long> coveredUpTo = new HashMap<>();
    /** Hashes that valid checkpoints name, hex, to the partition they belong to: a record elsewhere is a replay. */
    private final Map<String, Integer> checkpointedHashes = new HashMap<>();
    private final List<Problem> checkpointProblems = new ArrayList<>();

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
        this(null, heads, acceptUnchainedPrefix, null);
    }

    /**
     * @param topic       the audit topic: each partition's first record must link to its genesis
     *                    ({@link AuditChain#genesisHash(String, int)}); null for chains that name no partition
     * @param checkpoints signed checkpoints and the keys trusted to sign them; null to check the chains alone
     */
    public AuditTrailVerifier(final String topic, final List<ExpectedHead> heads, final boolean acceptUnchainedPrefix,
                              final Checkpoints checkpoints) {
        this.topic = topic;
        this.acceptUnchainedPrefix = acceptUnchainedPrefix;
        this.requireCoverage = checkpoints != null;
        for (ExpectedHead h : heads) {
            expectedHeads.computeIfAbsent(h.partition(), p -> new ArrayList<>()).add(h);
        }
        if (checkpoints != null) {
            int line = 0;
            for (final String text : checkpoints.lines()) {
                line++;
                if (text.isBlank() || text.startsWith("#")) {
                    continue; // an exported file may carry comments
                }
                final AuditCheckpoint c;
                try {
                    c = AuditCheckpoint.parse(text);
                } catch (final IllegalArgumentException e) {
                    checkpointProblems.add(new Problem(-1, NO_OFFSET, null, ProblemKind.BAD_CHECKPOINT,
                            "checkpoint " + line + ": " + e.getMessage()));
                    continue;
                }
                accept(c, checkpoints.trustedKeys());
            }
        }
    }

    private void accept(final AuditCheckpoint c, final List<java.security.PublicKey> keys) {
        if (keys.stream().noneMatch(c::verifiedBy)) {
            checkpointProblems.add(new Problem(c.partition(), NO_OFFSET, c.sequence(), ProblemKind.BAD_CHECKPOINT,
                    c + ": no trusted key verifies its signature (forged, altered, or signed by another key)"));
            return;
        }
        if (topic != null && !topic.equals(c.topic())) {
            checkpointProblems.add(new Problem(c.partition(), NO_OFFSET, c.sequence(), ProblemKind.BAD_CHECKPOINT,
                    c + ": signed for topic " + c.topic() + ", not " + topic));
            return;
        }
        expectedHeads.computeIfAbsent(c.partition(), p -> new ArrayList<>()).add(c.head());
        coveredUpTo.merge(c.partition(), c.sequence(), Math::max);
        checkpointedHashes.put(AuditChain.hex(c.hash()), c.partition());
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
                expectedHeads.getOrDefault(partition, List.of()), acceptUnchainedPrefix,
                topic == null ? AuditChain.genesisHash() : AuditChain.genesisHash(topic, partition), topic != null,
                requireCoverage, coveredUpTo.get(partition), checkpointedHashes);
        checks.put(partition, check);
        return check;
    }

    /** The verdict over every partition checked; an anchored head of a partition never read is a problem. */
    public Report report() {
        final List<PartitionSummary> summaries = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>(checkpointProblems);
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

}
