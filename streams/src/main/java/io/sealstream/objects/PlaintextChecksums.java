package io.sealstream.objects;

import io.sealstream.events.ChecksumAlgorithm;
import io.sealstream.events.PlaintextChecksum;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Plaintext checksums end to end: the producer's declared digest (SHA-256, or BLAKE2b-256 from Bouncy Castle, which
 * the JDK lacks) is verified while the plaintext streams into the envelope, kept in the object's metadata
 * ({@value ObjectMetadata#PLAINTEXT_CHECKSUM} = {@code <algorithm>:<hex>}) and in {@code ObjectEncrypted}, and checked
 * again by every whole-object read. A digest is no secret: it is of the plaintext, but 256 bits of a hash reveal
 * nothing an attacker could not test a guess against anyway (which is why S3 returns them too).
 */
public final class PlaintextChecksums {

    public static final int DIGEST_BYTES = 32;

    private PlaintextChecksums() {
    }

    /** A running digest. */
    public interface Digest {
        void update(byte[] b, int off, int len);

        byte[] digest();
    }

    public static Digest digest(final ChecksumAlgorithm algorithm) {
        return switch (algorithm) {
            case SHA256 -> {
                final MessageDigest sha = sha256();
                yield new Digest() {
                    @Override
                    public void update(final byte[] b, final int off, final int len) {
                        sha.update(b, off, len);
                    }

                    @Override
                    public byte[] digest() {
                        return sha.digest();
                    }
                };
            }
            case BLAKE2B_256 -> {
                final Blake2bDigest blake = new Blake2bDigest(DIGEST_BYTES * 8);
                yield new Digest() {
                    @Override
                    public void update(final byte[] b, final int off, final int len) {
                        blake.update(b, off, len);
                    }

                    @Override
                    public byte[] digest() {
                        final byte[] out = new byte[DIGEST_BYTES];
                        blake.doFinal(out, 0);
                        return out;
                    }
                };
            }
            default -> throw new IllegalArgumentException("unsupported checksum algorithm " + algorithm
                    + " (SHA256 or BLAKE2B_256)");
        };
    }

    /** Checks a declared checksum's form: a known algorithm and 32 bytes. Throws IllegalArgumentException. */
    public static void requireWellFormed(final PlaintextChecksum checksum) {
        if (checksum.getAlgorithm() != ChecksumAlgorithm.SHA256 && checksum.getAlgorithm() != ChecksumAlgorithm.BLAKE2B_256) {
            throw new IllegalArgumentException("checksum.algorithm " + checksum.getAlgorithm()
                    + " is not supported (SHA256 or BLAKE2B_256)");
        }
        if (checksum.getValue().remaining() != DIGEST_BYTES) {
            throw new IllegalArgumentException("checksum.value must be " + DIGEST_BYTES + " bytes, got "
                    + checksum.getValue().remaining());
        }
    }

    public static byte[] value(final PlaintextChecksum checksum) {
        final ByteBuffer v = checksum.getValue().duplicate();
        final byte[] out = new byte[v.remaining()];
        v.get(out);
        return out;
    }

    /** The metadata form, {@code sha256:<hex>} or {@code blake2b-256:<hex>}. */
    public static String toMetadata(final PlaintextChecksum checksum) {
        return name(checksum.getAlgorithm()) + ":" + HexFormat.of().formatHex(value(checksum));
    }

    /** Parses the metadata form; empty if absent or unreadable (a reader then has nothing to check against). */
    public static Optional<PlaintextChecksum> fromMetadata(final String text) {
        if (text == null) {
            return Optional.empty();
        }
        final int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        final ChecksumAlgorithm algorithm = switch (text.substring(0, colon).toLowerCase(Locale.ROOT)) {
            case "sha256" -> ChecksumAlgorithm.SHA256;
            case "blake2b-256" -> ChecksumAlgorithm.BLAKE2B_256;
            default -> null;
        };
        try {
            final byte[] value = HexFormat.of().parseHex(text.substring(colon + 1));
            return algorithm == null || value.length != DIGEST_BYTES ? Optional.empty()
                    : Optional.of(new PlaintextChecksum(algorithm, ByteBuffer.wrap(value)));
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The base64 value S3 clients expect in {@code x-amz-checksum-sha256}, for a SHA-256 checksum. */
    public static Optional<String> amzSha256(final PlaintextChecksum checksum) {
        return checksum.getAlgorithm() == ChecksumAlgorithm.SHA256
                ? Optional.of(Base64.getEncoder().encodeToString(value(checksum))) : Optional.empty();
    }

    public static String name(final ChecksumAlgorithm algorithm) {
        return algorithm == ChecksumAlgorithm.BLAKE2B_256 ? "blake2b-256" : algorithm.name().toLowerCase(Locale.ROOT);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
