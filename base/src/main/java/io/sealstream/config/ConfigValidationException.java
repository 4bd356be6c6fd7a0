package io.sealstream.config;

import java.util.List;

/**
 * A configuration that does not match its declarations: every problem found, one line each (each names its key and
 * never shows the value of a secret setting). The message is a heading line followed by one line per problem.
 */
public final class ConfigValidationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigValidationException(final List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one line each, sorted by key. */
    public List<String> problems() {
        return problems;
    }

    private static String message(final List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        return "invalid configuration (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                + String.join("\n  ", problems);
    }
}
