package io.sealstream.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KmsException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What Transit's read-key endpoint says. */
record TransitKeyInfo(String name, String type, boolean derived, int latestVersion, int minDecryptionVersion,
                      int minEncryptionVersion, int minAvailableVersion, TreeMap<Integer, Instant> versions) {

    /** The {@code data} of Transit's read-key answer for {@code kekId}. */
    static TransitKeyInfo of(final String kekId, final JsonNode data) {
        final TreeMap<Integer, Instant> versions = new TreeMap<>();
        for (final Map.Entry<String, JsonNode> entry : data.path("keys").properties()) {
            if (VaultTransitKms.VERSION.matcher(entry.getKey()).matches()) {
                final JsonNode value = entry.getValue();
                versions.put(Integer.parseInt(entry.getKey()),
                        value.canConvertToLong() ? Instant.ofEpochSecond(value.asLong()) : Instant.EPOCH);
            }
        }
        final int latest = data.path("latest_version").asInt(0);
        if (latest < 1) {
            throw new KmsException("Vault transit key '" + kekId + "' has no versions");
        }
        return new TransitKeyInfo(kekId, data.path("type").asText(""), data.path("derived").asBoolean(false), latest,
                data.path("min_decryption_version").asInt(1), data.path("min_encryption_version").asInt(0),
                data.path("min_available_version").asInt(0), versions);
    }

    KeyDescription describe() {
        final List<String> names = new ArrayList<>();
        Instant created = null;
        for (final Map.Entry<Integer, Instant> v : versions.entrySet()) {
            if (v.getKey() >= Math.max(minDecryptionVersion, 1) && v.getKey() <= latestVersion) {
                names.add(Integer.toString(v.getKey()));
                if (created == null) {
                    created = v.getValue();
                }
            }
        }
        if (names.isEmpty() || !names.contains(Integer.toString(latestVersion))) {
            names.clear();
            for (int i = Math.max(minDecryptionVersion, 1); i <= latestVersion; i++) {
                names.add(Integer.toString(i));
            }
        }
        return new KeyDescription(VaultTransitKms.PROVIDER, name, Integer.toString(latestVersion), names,
                created == null ? Instant.EPOCH : created);
    }
}
