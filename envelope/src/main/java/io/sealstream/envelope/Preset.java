package io.sealstream.envelope;

/**
 * Named, reviewed choices of the format's parameters. There are no free-form crypto settings: a preset fixes the
 * algorithm suite and the segment size (plaintext bytes per segment).
 *
 * <p>Smaller segments cost more per byte (one GCM tag and one cipher initialisation per segment) but let a reader
 * start releasing plaintext sooner and bound memory tighter; 64 KiB is the measured sweet spot on the JDK.
 */
public enum Preset {

    /** Low-latency random reads, small memory; ~5% slower on large objects. */
    AES256_GCM_HKDF_SHA256_4KB(Suite.AES256_GCM_HKDF_SHA256, 4 * 1024),
    /** The default. */
    AES256_GCM_HKDF_SHA256_64KB(Suite.AES256_GCM_HKDF_SHA256, 64 * 1024),
    /** Large objects, fewer tags; uses 2 MiB of buffers per stream. */
    AES256_GCM_HKDF_SHA256_1MB(Suite.AES256_GCM_HKDF_SHA256, 1024 * 1024);

    public static final Preset DEFAULT = AES256_GCM_HKDF_SHA256_64KB;

    private final Suite suite;
    private final int segmentSize;

    Preset(final Suite suite, final int segmentSize) {
        this.suite = suite;
        this.segmentSize = segmentSize;
    }

    public Suite suite() {
        return suite;
    }

    /** Plaintext bytes per segment; each ciphertext segment is 16 bytes longer (the GCM tag). */
    public int segmentSize() {
        return segmentSize;
    }

    /** Parses a preset name as printed by {@link #name()}, case-insensitively, with a clear error. */
    public static Preset fromName(final String name) {
        for (final Preset p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + java.util.Arrays.toString(values()));
    }

    /** Algorithm suites, by the id written in the header. */
    public enum Suite {
        /**
         * AES-256-GCM per segment (96-bit nonce = 7-byte per-object prefix, 32-bit segment index, last-segment flag;
         * 128-bit tag); per-object key and key commitment from HKDF-SHA256-Expand keyed by the data key.
         */
        AES256_GCM_HKDF_SHA256(1);

        private final int id;

        Suite(final int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public static Suite fromId(final int id) {
            for (final Suite s : values()) {
                if (s.id == id) {
                    return s;
                }
            }
            return null;
        }
    }
}
