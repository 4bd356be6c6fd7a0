package io.sealstream.envelope;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen format-v1 vectors in {@code src/test/resources/vectors/format-v1.txt}: fixed data key, salt, nonce
 * prefix, context and plaintext, and the exact ciphertext they produced. Future versions must keep decrypting
 * them. {@link #main} wrote the file once; do not regenerate it for version 1.
 */
final class FrozenVectors {

    static final String RESOURCE = "/vectors/format-v1.txt";
    private static final HexFormat HEX = HexFormat.of();

    record Vector(String name, Preset preset, boolean storeContext, byte[] dek, WrappedDataKey wrapped, byte[] salt,
                  byte[] noncePrefix, EncryptionContext context, byte[] plaintext, byte[] ciphertext) {

        EnvelopeEncryptor deterministicEncryptor() {
            return new EnvelopeEncryptor(preset, storeContext, (s, p) -> {
                System.arraycopy(salt, 0, s, 0, s.length);
                System.arraycopy(noncePrefix, 0, p, 0, p.length);
            });
        }

        DataKey dataKey() {
            return new DataKey(dek.clone(), wrapped);
        }
    }

    private FrozenVectors() {
    }

    static List<Vector> load() throws IOException {
        final List<Vector> vectors = new ArrayList<>();
        try (var in = FrozenVectors.class.getResourceAsStream(RESOURCE)) {
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (final String block : text.split("\n\n")) {
                final Map<String, String> f = new LinkedHashMap<>();
                for (final String line : block.split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    final int colon = line.indexOf(':');
                    f.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
                if (f.isEmpty()) {
                    continue;
                }
                final String[] kek = f.get("kek").split(",");
                final List<String> ctx = f.get("context").isEmpty() ? List.of() : List.of(f.get("context").split(","));
                final EncryptionContext context = EncryptionContext.of(ctx.toArray(String[]::new));
                // The scope is not in the bytes: a reader derives it from the context, as the decryptor does.
                vectors.add(new Vector(f.get("name"), Preset.valueOf(f.get("preset")), Boolean.parseBoolean(f.get("store-context")),
                        HEX.parseHex(f.get("dek")),
                        new WrappedDataKey(f.get("dek-id"), new KekRef(kek[0], kek[1], kek[2]), HEX.parseHex(f.get("wrapped-dek")),
                                context.keyScope()),
                        HEX.parseHex(f.get("salt")), HEX.parseHex(f.get("nonce-prefix")),
                        context, HEX.parseHex(f.get("plaintext")),
                        HEX.parseHex(f.get("ciphertext"))));
            }
        }
        return vectors;
    }

    /** Writes the vector file (run once, for format version 1, from the module directory). */
    public static void main(final String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/vectors/format-v1.txt");
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out)) {
            w.write("# sealstream envelope format version 1: frozen test vectors. Never edit or regenerate.\n");
            w.write("# Fields are hex; kek is provider,keyId,version; context is key,value,key,value...\n\n");
            write(w, "empty", Preset.AES256_GCM_HKDF_SHA256_4KB, false, 0, 1, new String[] {});
            write(w, "one-byte", Preset.AES256_GCM_HKDF_SHA256_4KB, false, 1, 2, new String[] {"tenant", "acme"});
            write(w, "three-segments", Preset.AES256_GCM_HKDF_SHA256_4KB, false, 2 * 4096 + 100, 3,
                    new String[] {"tenant", "acme", "bucket", "invoices", "object-key", "2026/11/27/x.pdf"});
            write(w, "exact-segment-stored-context", Preset.AES256_GCM_HKDF_SHA256_4KB, true, 4096, 4,
                    new String[] {"tenant", "globex", "object-key", "\u00e9t\u00e9/\u6587\u4ef6.txt"});
            write(w, "default-preset", Preset.AES256_GCM_HKDF_SHA256_64KB, false, 70_000, 5,
                    new String[] {"tenant", "initech"});
        }
    }

    private static void write(final Writer w, final String name, final Preset preset, final boolean store, final int size,
                              final int seed, final String[] context) throws IOException {
        final byte[] dek = pattern(32, seed);
        final byte[] wrapped = pattern(60, seed + 100);
        final byte[] salt = pattern(32, seed + 200);
        final byte[] prefix = pattern(7, seed + 300);
        final byte[] plaintext = pattern(size, seed + 400);
        final String dekId = HEX.formatHex(pattern(16, seed + 500));
        final Vector v = new Vector(name, preset, store, dek, new WrappedDataKey(dekId, new KekRef("local", "vector-kek", "v1"), wrapped,
                EncryptionContext.of(context).keyScope()),
                salt, prefix, EncryptionContext.of(context), plaintext, null);
        final byte[] ct;
        try (DataKey k = v.dataKey()) {
            ct = v.deterministicEncryptor().encrypt(k, plaintext, v.context());
        }
        w.write("name: " + name + "\npreset: " + preset.name() + "\nstore-context: " + store + "\ndek: " + HEX.formatHex(dek)
                + "\ndek-id: " + dekId + "\nkek: local,vector-kek,v1\nwrapped-dek: " + HEX.formatHex(wrapped)
                + "\nsalt: " + HEX.formatHex(salt) + "\nnonce-prefix: " + HEX.formatHex(prefix)
                + "\ncontext: " + String.join(",", context) + "\nplaintext: " + HEX.formatHex(plaintext)
                + "\nciphertext: " + HEX.formatHex(ct) + "\n\n");
    }

    /** Deterministic bytes that do not depend on any library's random generator. */
    private static byte[] pattern(final int n, final int seed) {
        final byte[] b = new byte[n];
        long x = 0x9E3779B97F4A7C15L * (seed + 1);
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }
}
