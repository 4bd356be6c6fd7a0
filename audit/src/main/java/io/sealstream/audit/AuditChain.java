package io.sealstream.audit;

import io.sealstream.events.AuditEvent;
import io.sealstream.events.KeyReference;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The audit hash chain, version 1: how an {@link AuditEvent} is linked to its predecessor in the same audit-topic
 * partition. The byte encoding is specified in {@code docs/FORMAT.md}, section "Audit chain encoding", so that an
 * auditor can re-implement it without sealstream, Avro or the schema registry:
 *
 * <pre>
 *   hash      = SHA-256( previousHash || canonical )
 *   canonical = str("sealstream-audit-chain-v1") || u64(chainSequence) || field(auditId) || ... || field(source)
 * </pre>
 *
 * The encoding depends on the field <em>values</em> only, never on the Avro schema or its wire format, so a record
 * re-serialised under another (compatible) schema version still verifies, and a new schema field is NOT covered until
 * a new encoding version names it (see {@link #COVERED_FIELDS}).
 *
 * <p>The sequence number is hashed too, unlike the other two chain fields: without it, {@code chainSequence} would be
 * unauthenticated metadata that anyone could renumber, and an externally anchored head ({@code sequence:hash}) would
 * not pin the position it claims.
 */
public final class AuditChain {

    /** The domain label that starts every canonical encoding; a new encoding version gets a new label. */
    public static final String DOMAIN = "sealstream-audit-chain-v1";
    /** Length of {@code previousHash} and {@code hash}: SHA-256. */
    public static final int HASH_BYTES = 32;
    /**
     * The {@link AuditEvent} fields the v1 encoding covers, in encoding order (the schema's order). Every other field
     * of the schema is one of the three chain fields; a test keeps it that way.
     */
    public static final List<String> COVERED_FIELDS = List.of("auditId", "time", "action", "outcome", "actor",
            "service", "eventId", "tenant", "bucket", "objectKey", "location", "dekId", "kek", "reasonCode", "message",
            "source");
    /** The chain's own fields, set by the chainer and excluded from the canonical field list. */
    public static final List<String> CHAIN_FIELDS = List.of("chainSequence", "previousHash", "hash");

    private static final byte ABSENT = 0x00;
    private static final byte PRESENT = 0x01;

    private AuditChain() {
    }

    /** Domain label of {@link #genesisHash(String, int)}. */
    public static final String GENESIS_DOMAIN = "sealstream-audit-chain-genesis-v1";

    /**
     * The previous hash of sequence 0 in chains that name no partition (before partition binding, and in tests of the
     * chain alone): 32 zero bytes. The chainer uses {@link #genesisHash(String, int)}.
     */
    public static byte[] genesisHash() {
        return new byte[HASH_BYTES];
    }

    /**
     * The previous hash of sequence 0 in audit partition {@code partition} of {@code topic}:
     * {@code SHA-256(str(GENESIS_DOMAIN) || str(topic) || u64(partition))}. Every hash of the chain depends on it, so
     * records copied into another partition or topic no longer link, whatever their content.
     */
    public static byte[] genesisHash(final String topic, final int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0");
        }
        final Canonical out = new Canonical();
        out.string(GENESIS_DOMAIN);
        out.string(topic);
        out.u64(partition);
        final MessageDigest sha256 = sha256();
        return sha256.digest(out.toByteArray());
    }

    /**
     * A copy of {@code event} placed at {@code sequence} after a predecessor whose hash is {@code previousHash}: the
     * three chain fields set, whatever {@code event} carried in them. {@code event} itself is not changed.
     */
    public static AuditEvent link(final AuditEvent event, final long sequence, final byte[] previousHash) {
        if (sequence < 0) {
            throw new IllegalArgumentException("chain sequence must be >= 0, got " + sequence);
        }
        checkHashLength(previousHash, "previousHash");
        final AuditEvent linked = copyOf(event);
        linked.setChainSequence(sequence);
        linked.setPreviousHash(ByteBuffer.wrap(previousHash.clone()));
        linked.setHash(ByteBuffer.wrap(hash(previousHash, canonical(linked, sequence))));
        return linked;
    }

    /** A copy of {@code event} with its three chain fields cleared, as writers hand events to the chainer. */
    public static AuditEvent unchained(final AuditEvent event) {
        final AuditEvent copy = copyOf(event);
        copy.setChainSequence(null);
        copy.setPreviousHash(null);
        copy.setHash(null);
        return copy;
    }

    /**
     * A field-by-field copy. Not {@code AuditEvent.newBuilder(event)}: Avro's deep copy instantiates the enum classes
     * through its class-security check, which trusts generated classes only once a sealstream serde has been
     * configured in this JVM. The constructor also breaks the build when a field is added, as it should here.
     */
    public static AuditEvent copyOf(final AuditEvent e) {
        return new AuditEvent(e.getAuditId(), e.getTime(), e.getAction(), e.getOutcome(), e.getActor(), e.getService(),
                e.getEventId(), e.getTenant(), e.getBucket(), e.getObjectKey(), e.getLocation(), e.getDekId(),
                e.getKek() == null ? null : new KeyReference(e.getKek().getProvider(), e.getKek().getKeyId(),
                        e.getKek().getVersion()),
                e.getReasonCode(), e.getMessage(), e.getSource(), e.getChainSequence(),
                e.getPreviousHash() == null ? null : ByteBuffer.wrap(bytes(e.getPreviousHash())),
                e.getHash() == null ? null : ByteBuffer.wrap(bytes(e.getHash())));
    }

    /**
     * The hash a chained record should carry: SHA-256 over its own {@code previousHash} and its canonical encoding at
     * its own {@code chainSequence}. Throws {@link IllegalArgumentException} if the record is not chained (a chain
     * field is missing or {@code previousHash} is not 32 bytes).
     */
    public static byte[] expectedHash(final AuditEvent chained) {
        final Long sequence = chained.getChainSequence();
        if (sequence == null || sequence < 0) {
            throw new IllegalArgumentException("no valid chainSequence");
        }
        if (chained.getPreviousHash() == null) {
            throw new IllegalArgumentException("no previousHash");
        }
        final byte[] previous = bytes(chained.getPreviousHash());
        checkHashLength(previous, "previousHash");
        return hash(previous, canonical(chained, sequence));
    }

    /**
     * The canonical encoding of {@code event} at {@code sequence} (its own chain fields are ignored). Specified in
     * docs/FORMAT.md; the frozen test vector in {@code AuditChainTest} pins it.
     */
    public static byte[] canonical(final AuditEvent event, final long sequence) {
        final Canonical out = new Canonical();
        out.string(DOMAIN);
        out.u64(sequence);
        out.field(event.getAuditId());
        out.field(event.getTime());
        out.field(event.getAction() == null ? null : event.getAction().name());
        out.field(event.getOutcome() == null ? null : event.getOutcome().name());
        out.field(event.getActor());
        out.field(event.getService());
        out.field(event.getEventId());
        out.field(event.getTenant());
        out.field(event.getBucket());
        out.field(event.getObjectKey());
        out.field(event.getLocation());
        out.field(event.getDekId());
        final KeyReference kek = event.getKek();
        if (kek == null) {
            out.absent();
        } else {
            out.present();
            out.field(kek.getProvider());
            out.field(kek.getKeyId());
            out.field(kek.getVersion());
        }
        out.field(event.getReasonCode());
        out.field(event.getMessage());
        out.field(event.getSource());
        return out.toByteArray();
    }

    /** Lower-case hex, as the verifier prints hashes and {@code --expect-head} takes them. */
    public static String hex(final byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The bytes of a {@link ByteBuffer} field, without moving its position. */
    public static byte[] bytes(final ByteBuffer buffer) {
        final byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static byte[] hash(final byte[] previousHash, final byte[] canonical) {
        final MessageDigest sha256 = sha256();
        sha256.update(previousHash);
        sha256.update(canonical);
        return sha256.digest();
    }

    private static void checkHashLength(final byte[] hash, final String what) {
        if (hash == null || hash.length != HASH_BYTES) {
            throw new IllegalArgumentException(what + " must be " + HASH_BYTES + " bytes");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The encoding's four primitives; docs/FORMAT.md names them the same way. */
    private static final class Canonical {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        void absent() {
            out.write(ABSENT);
        }

        void present() {
            out.write(PRESENT);
        }

        void u64(final long value) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (value >>> shift));
            }
        }

        /** u32 big-endian byte length, then the UTF-8 bytes. */
        void string(final String value) {
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            final int n = utf8.length;
            out.write(n >>> 24);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
            out.write(utf8, 0, n);
        }

        void field(final String value) {
            if (value == null) {
                absent();
            } else {
                present();
                string(value);
            }
        }

        /** Timestamps as signed epoch milliseconds, the precision of Avro's timestamp-millis. */
        void field(final Instant value) {
            if (value == null) {
                absent();
            } else {
                present();
                u64(value.toEpochMilli());
            }
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
