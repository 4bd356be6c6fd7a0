package io.sealstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sealstream.kms.KeyDescription;

/**
 * The {@code --json} output of listing and status commands: one JSON document on stdout, for scripts and monitoring.
 * Field names are stable; like the text output, it never holds key material or record bytes.
 */
public final class JsonOutput {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonOutput() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** A KEK as {@code keys list} shows it: id, provider, current version, versions, creation time. */
    static ObjectNode key(final KeyDescription d) {
        final ObjectNode node = object().put("keyId", d.keyId()).put("provider", d.provider())
                .put("currentVersion", d.currentVersion());
        final ArrayNode versions = node.putArray("versions");
        d.versions().forEach(versions::add);
        if (d.created() != null) {
            node.put("created", d.created().toString());
        }
        return node;
    }
}
