package io.sealstream.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment files: {@code NAME=value} lines, as {@code sealstream stack up} writes {@code stack.env} and
 * {@code --env-file} reads any such file (the variables apply like the environment's).
 */
public final class EnvFile {

    private EnvFile() {
    }

    /** Reads {@code NAME=value} lines (blank lines and {@code #} comments ignored; an optional {@code export }). */
    public static Map<String, String> parse(final Path file) throws IOException {
        final Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("export ")) {
                l = l.substring("export ".length()).strip();
            }
            final int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ": expected NAME=value, got a line without '='");
            }
            String value = l.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            m.put(l.substring(0, eq).strip(), value);
        }
        return m;
    }
}
