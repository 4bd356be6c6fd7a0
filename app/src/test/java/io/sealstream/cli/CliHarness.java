package io.sealstream.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with captured stdin/stdout/stderr and a controlled environment. */
final class CliHarness {

    record Result(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    final Map<String, String> env = new HashMap<>();

    CliHarness withPassphrase(final String passphrase) {
        env.put("SEALSTREAM_KEYSTORE_PASSWORD", passphrase);
        return this;
    }

    Result run(final String... args) {
        return runWithStdin(new byte[0], args);
    }

    Result runWithStdin(final byte[] stdin, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SealstreamCli.execute(args, new SealstreamCli.Io(new ByteArrayInputStream(stdin),
                new PrintStream(out, true), new PrintStream(err, true, StandardCharsets.UTF_8), Map.copyOf(env)));
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
