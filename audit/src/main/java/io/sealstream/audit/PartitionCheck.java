package io.sealstream.audit;

import static io.sealstream.audit.AuditTrailVerifier.NO_OFFSET;
import static io.sealstream.audit.AuditTrailVerifier.WINDOW;

import io.sealstream.audit.AuditTrailVerifier.ExpectedHead;
import io.sealstream.audit.AuditTrailVerifier.PartitionSummary;
import io.sealstream.audit.AuditTrailVerifier.Problem;
import io.sealstream.audit.AuditTrailVerifier.ProblemKind;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/** One partition's check; feed it records in offset order. */
public final class PartitionCheck {

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
    private final byte[] genesis;
    private final boolean partitionBound;
    private final boolean requireCoverage;
    private final Long coveredUpTo;
    private final Map<String, Integer> checkpointedHashes;
    /** Unchained records before the first chained one, when they are accepted. */
    private long unchainedPrefix;
    private long unchainedPrefixFirstOffset = NO_OFFSET;
    private final List<ExpectedHead> anchors;
    final List<Problem> problems = new ArrayList<>();
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

    PartitionCheck(final int partition, final boolean earlierRecordsDeleted, final List<ExpectedHead> anchors,
                           final boolean acceptUnchainedPrefix, final byte[] genesis, final boolean partitionBound,
                           final boolean requireCoverage, final Long coveredUpTo,
                           final Map<String, Integer> checkpointedHashes) {
        this.genesis = genesis;
        this.partitionBound = partitionBound;
        this.requireCoverage = requireCoverage;
        this.coveredUpTo = coveredUpTo;
        this.checkpointedHashes = checkpointedHashes;
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
        final Integer home = checkpointedHashes.get(AuditChain.hex(hash));
        if (home != null && home != partition) {
            problem(offset, sequence, ProblemKind.REPLAYED, "sequence " + sequence + " of partition " + home
                    + " (a signed checkpoint names its hash), copied into partition " + partition);
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
            if (!MessageDigest.isEqual(previous, genesis)) {
                if (partitionBound) {
                    problem(offset, sequence, ProblemKind.REPLAYED, "sequence 0's previousHash is not this "
                            + "partition's genesis: the chain was made for another partition or topic (or before "
                            + "chains were bound to their partition)");
                } else {
                    problem(offset, sequence, ProblemKind.EDITED, "sequence 0's previousHash is not 32 zero bytes");
                }
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
        if (requireCoverage && maxSequence != null && (coveredUpTo == null || maxSequence > coveredUpTo)) {
            final long from = coveredUpTo == null ? (firstSequence == null ? 0 : firstSequence) : coveredUpTo + 1;
            final long n = maxSequence - from + 1;
            problem(NO_OFFSET, from, ProblemKind.APPENDED, (n == 1 ? "sequence " + from : "sequences " + from + ".."
                    + maxSequence) + " (" + n + (n == 1 ? " record" : " records") + ") "
                    + (coveredUpTo == null ? "in a partition no signed checkpoint covers"
                    : "after the last signed checkpoint (sequence " + coveredUpTo + ")")
                    + ": written by someone without the chainer's key, or since the chainer's last checkpoint "
                    + "(verify again after the checkpoint interval)");
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
