package io.sealstream.envelope;

import io.sealstream.envelope.internal.HeaderCodec;
import io.sealstream.envelope.internal.ObjectRandomness;
import io.sealstream.envelope.internal.ObjectSealing;
import io.sealstream.envelope.internal.SegmentCipher;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Writes envelopes under a given data key. Thread-safe; one instance serves any number of objects. Its only state
 * is the header template of the data key it used last (no secret). The data key is only read (the caller still owns
 * and closes it).
 */
public final class EnvelopeEncryptor {

    private final Preset preset;
    private final boolean storeContext;
    private final ObjectRandomness randomness;
    /** The header template of the data key used last: the cache hands out one DEK for many objects. */
    private volatile HeaderTemplate lastTemplate;

    private record HeaderTemplate(WrappedDataKey wrapped, byte[] bytes) {
    }

    /**
     * @param storeContext whether the encryption context is also stored in the header in plaintext, so that a reader
     *                     can decrypt without knowing it (it is bound to the ciphertext either way)
     */
    public EnvelopeEncryptor(final Preset preset, final boolean storeContext) {
        this(preset, storeContext, ObjectRandomness.secure());
    }

    /** The default preset; context not stored. */
    public EnvelopeEncryptor() {
        this(Preset.DEFAULT, false);
    }

    EnvelopeEncryptor(final Preset preset, final boolean storeContext, final ObjectRandomness randomness) {
        this.preset = Objects.requireNonNull(preset, "preset");
        this.storeContext = storeContext;
        this.randomness = Objects.requireNonNull(randomness, "randomness");
    }

    public Preset preset() {
        return preset;
    }

    /** A stream that encrypts into {@code sink}; the header is written immediately. */
    public EncryptingOutputStream encryptingStream(final OutputStream sink, final DataKey dek, final EncryptionContext context)
            throws IOException {
        return encryptingStream(sink, dek, context, bytes -> { });
    }

    EncryptingOutputStream encryptingStream(final OutputStream sink, final DataKey dek, final EncryptionContext context,
                                            final LongConsumer onClose) throws IOException {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(context, "context");
        requireScope(dek, context);
        final ObjectSealing.Sealed sealed = ObjectSealing.seal(dek, template(dek.wrapped()), context, storeContext, randomness);
        return new EncryptingOutputStream(sink, sealed.header(), sealed.cipher(), preset.segmentSize(), dek.wrapped(), onClose);
    }

    private byte[] template(final WrappedDataKey wrapped) {
        final HeaderTemplate last = lastTemplate;
        if (last != null && (last.wrapped() == wrapped || last.wrapped().equals(wrapped))) {
            return last.bytes();
        }
        final byte[] bytes = HeaderCodec.template(preset.suite(), preset.segmentSize(), wrapped, storeContext);
        lastTemplate = new HeaderTemplate(wrapped, bytes);
        return bytes;
    }

    /** One-shot encryption for objects that fit in memory; the output is allocated once at its exact size. */
    public byte[] encrypt(final DataKey dek, final byte[] plaintext, final EncryptionContext context) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(context, "context");
        requireScope(dek, context);
        final ObjectSealing.Sealed sealed = ObjectSealing.seal(dek, template(dek.wrapped()), context, storeContext, randomness);
        final int segmentSize = preset.segmentSize();
        final long segments = plaintext.length == 0 ? 1 : (plaintext.length + (long) segmentSize - 1) / segmentSize;
        final long total = sealed.header().length + segments * SegmentCipher.TAG_BYTES + plaintext.length;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("object too large for one-shot encryption; use encryptingStream");
        }
        final byte[] out = new byte[(int) total];
        System.arraycopy(sealed.header(), 0, out, 0, sealed.header().length);
        int outPos = sealed.header().length;
        int inPos = 0;
        for (long i = 0; i < segments; i++) {
            final boolean last = i == segments - 1;
            final int n = last ? plaintext.length - inPos : segmentSize;
            outPos += sealed.cipher().encrypt(i, last, plaintext, inPos, n, out, outPos);
            inPos += n;
        }
        return out;
    }

    /** A data key serves only the tenant bucket it is bound to: anything else would write an object no reader accepts. */
    private static void requireScope(final DataKey dek, final EncryptionContext context) {
        if (!dek.wrapped().scope().equals(context.keyScope())) {
            throw new IllegalArgumentException("data key " + dek.dekId() + " is bound to " + dek.wrapped().scope()
                    + " but the encryption context needs a key bound to " + context.keyScope());
        }
    }
}
