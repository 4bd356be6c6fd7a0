package io.sealstream.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.KeyReference;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The v1 chain encoding, pinned by a frozen test vector. The expected bytes were produced by an independent
 * re-implementation written from docs/FORMAT.md ("Audit chain encoding") alone; if this test fails, the encoding
 * changed, and every existing trail would stop verifying: that needs a new version, not a new vector.
 */
class AuditChainTest {

    /** The first vector record: every kind of field, a non-ASCII character, the KEK record present. */
    static AuditEvent first() {
        return AuditEvent.newBuilder()
                .setAuditId("ENCRYPT:evt-1")
                .setTime(Instant.ofEpochMilli(1_767_225_600_000L))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(AuditOutcome.SUCCESS)
                .setActor("alice@acme")
                .setService("sealstream/i-1")
                .setEventId("evt-1")
                .setTenant("acme")
                .setBucket("invoices")
                .setObjectKey("2026/01/caf\u00e9.pdf")
                .setLocation("s3://sealstream/acme/invoices/2026/01/caf\u00e9.pdf")
                .setDekId("dek-1")
                .setKek(new KeyReference("local", "kek-acme", "2"))
                .setSource("sealstream.uploads/0@0")
                .build();
    }

    /** The second vector record: a failure, with the nullable fields absent. */
    static AuditEvent second() {
        return AuditEvent.newBuilder()
                .setAuditId("ENCRYPT-FAILED:sealstream.uploads/1@7")
                .setTime(Instant.ofEpochMilli(1_767_225_601_234L))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(AuditOutcome.FAILURE)
                .setActor("unknown")
                .setService("sealstream/i-1")
                .setReasonCode("MALFORMED_EVENT")
                .setMessage("not the wire format")
                .setSource("sealstream.uploads/1@7")
                .build();
    }

    private static final String CANONICAL_0 = "000000197365616c73747265616d2d61756469742d636861696e2d7631"
            + "0000000000000000" // sequence 0
            + "010000000d454e43525950543a6576742d31" // auditId
            + "01" + "0000019b76daa800" // time
            + "0100000007454e4352595054" // action
            + "010000000753554343455353" // outcome
            + "010000000a616c6963654061636d65" // actor
            + "010000000e7365616c73747265616d2f692d31" // service
            + "01000000056576742d31" // eventId
            + "010000000461636d65" // tenant
            + "0100000008696e766f69636573" // bucket
            + "0100000011323032362f30312f636166c3a92e706466" // objectKey, UTF-8 é
            + "010000002f73333a2f2f7365616c73747265616d2f61636d652f696e766f696365732f323032362f30312f636166c3a92e706466"
            + "010000000564656b2d31" // dekId
            + "01" + "01000000056c6f63616c" + "01000000086b656b2d61636d65" + "010000000132" // kek
            + "00" // reasonCode
            + "00" // message
            + "01000000167365616c73747265616d2e75706c6f6164732f304030"; // source
    private static final String HASH_0 = "c6b2ce507731332b99936680e388d69d0b3be63e62d3294f7d24e7b33101083c";
    private static final String HASH_1 = "227afe7765e6ad5f3da517ebbe289eee3bb3cf0c85d4449f80f69f917e394619";

    @Test
    void theFrozenTestVectorStillHolds() {
        assertThat(AuditChain.hex(AuditChain.canonical(first(), 0))).isEqualTo(CANONICAL_0);
        final AuditEvent chained0 = AuditChain.link(first(), 0, AuditChain.genesisHash());
        assertThat(chained0.getChainSequence()).isZero();
        assertThat(AuditChain.bytes(chained0.getPreviousHash())).isEqualTo(new byte[32]);
        assertThat(AuditChain.hex(AuditChain.bytes(chained0.getHash()))).isEqualTo(HASH_0);

        final AuditEvent chained1 = AuditChain.link(second(), 1, AuditChain.bytes(chained0.getHash()));
        assertThat(AuditChain.hex(AuditChain.bytes(chained1.getPreviousHash()))).isEqualTo(HASH_0);
        assertThat(AuditChain.hex(AuditChain.bytes(chained1.getHash()))).isEqualTo(HASH_1);
        assertThat(AuditChain.expectedHash(chained1)).isEqualTo(HexFormat.of().parseHex(HASH_1));
    }

    @Test
    void everySchemaFieldIsEitherCoveredOrAChainField() {
        // A new AuditEvent field fails this test: it would be unauthenticated until a new encoding version covers it.
        final List<String> fields = new ArrayList<>();
        for (Schema.Field f : AuditEvent.getClassSchema().getFields()) {
            fields.add(f.name());
        }
        final List<String> expected = new ArrayList<>(AuditChain.COVERED_FIELDS);
        expected.addAll(AuditChain.CHAIN_FIELDS);
        assertThat(fields).containsExactlyElementsOf(expected);
        assertThat(KeyReference.getClassSchema().getFields()).extracting(Schema.Field::name)
                .containsExactly("provider", "keyId", "version");
    }

    @Test
    void theChainFieldsOfTheInputAreIgnoredAndOverwritten() {
        final AuditEvent forged = first();
        forged.setChainSequence(99L);
        forged.setPreviousHash(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        forged.setHash(ByteBuffer.wrap(new byte[32]));
        final AuditEvent chained = AuditChain.link(forged, 0, AuditChain.genesisHash());
        assertThat(AuditChain.hex(AuditChain.bytes(chained.getHash()))).isEqualTo(HASH_0);
        assertThat(forged.getChainSequence()).as("the input is not changed").isEqualTo(99L);
    }

    @Test
    void theSequenceIsPartOfTheHashSoRenumberingIsAnEdit() {
        final AuditEvent chained = AuditChain.link(first(), 0, AuditChain.genesisHash());
        final AuditEvent renumbered = AuditChain.copyOf(chained);
        renumbered.setChainSequence(1L);
        assertThat(AuditChain.expectedHash(renumbered)).isNotEqualTo(AuditChain.bytes(chained.getHash()));
    }

    @Test
    void nullAndEmptyAreDifferentAndFieldBoundariesCannotShift() {
        final AuditEvent withNull = first();
        withNull.setTenant(null);
        final AuditEvent withEmpty = first();
        withEmpty.setTenant("");
        assertThat(AuditChain.canonical(withNull, 0)).isNotEqualTo(AuditChain.canonical(withEmpty, 0));
        // Moving characters from one field to its neighbour changes the encoding (length prefixes).
        final AuditEvent a = first();
        a.setTenant("acmei");
        a.setBucket("nvoices");
        assertThat(AuditChain.canonical(a, 0)).isNotEqualTo(AuditChain.canonical(first(), 0));
    }

    @Test
    void anUnchainedRecordHasNoExpectedHash() {
        assertThatThrownBy(() -> AuditChain.expectedHash(first())).isInstanceOf(IllegalArgumentException.class);
        final AuditEvent shortPrevious = AuditChain.link(first(), 0, AuditChain.genesisHash());
        shortPrevious.setPreviousHash(ByteBuffer.wrap(new byte[31]));
        assertThatThrownBy(() -> AuditChain.expectedHash(shortPrevious)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditChain.link(first(), -1, AuditChain.genesisHash()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
