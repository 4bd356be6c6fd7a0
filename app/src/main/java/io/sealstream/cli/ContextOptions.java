package io.sealstream.cli;

import io.sealstream.envelope.EncryptionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --context k=v} (repeatable): the encryption context; order on the command line does not matter. */
final class ContextOptions {

    @Option(names = "--context", paramLabel = "KEY=VALUE",
            description = "Encryption context entry (repeatable), e.g. --context tenant=acme --context object-key=a/b.pdf.")
    List<String> entries = new ArrayList<>();

    boolean given() {
        return !entries.isEmpty();
    }

    EncryptionContext context() {
        final Map<String, String> map = new LinkedHashMap<>();
        for (final String entry : entries) {
            final int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--context needs KEY=VALUE with a non-empty key, got '" + entry + "'");
            }
            if (map.put(entry.substring(0, eq), entry.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("--context key '" + entry.substring(0, eq) + "' given twice");
            }
        }
        return EncryptionContext.of(map);
    }
}
