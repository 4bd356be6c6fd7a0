package io.sealstream.kms;

import java.security.SecureRandom;
import java.util.HexFormat;

/** DEK identifiers: 128 random bits as 32 lowercase hex characters. Random, never derived from key material. */
public final class DekIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int LENGTH = 32;

    private DekIds() {
    }

    public static String newDekId() {
        final byte[] id = new byte[LENGTH / 2];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    public static String requireValid(final String dekId) {
        if (dekId == null || dekId.length() != LENGTH) {
            throw new IllegalArgumentException("DEK id must be " + LENGTH + " hex characters");
        }
        for (int i = 0; i < LENGTH; i++) {
            final char c = dekId.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("DEK id must be " + LENGTH + " lowercase hex characters");
            }
        }
        return dekId;
    }
}
