package io.sealstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command and subcommand answers {@code --help}, {@code -h} and {@code sealstream help ...} with its usage and
 * exit 0, before any required option is checked (issue 13: {@code run --help} used to say "Missing required option").
 */
class CliHelpTest {

    private final CliHarness cli = new CliHarness();

    @Test
    void everyCommandOfTheTreeAnswersHelp() {
        final List<List<String>> paths = new ArrayList<>();
        walk(SealstreamCli.commandLine(new SealstreamCli.Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), Map.of())),
                new ArrayList<>(), paths);
        assertThat(paths).as("the command tree").hasSizeGreaterThan(15)
                .contains(List.of("run"), List.of("keys", "create"), List.of("audit", "verify"), List.of("dlq", "replay"));
        for (final List<String> path : paths) {
            final String usage = "Usage: sealstream" + (path.isEmpty() ? "" : " " + String.join(" ", path));
            final List<String> forms = new ArrayList<>();
            forms.add("--help");
            forms.add("-h");
            for (final String flag : forms) {
                final List<String> args = new ArrayList<>(path);
                args.add(flag);
                final CliHarness.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as("%s: %s", args, r.stderr()).isZero();
                assertThat(r.out()).as("%s", args).startsWith(usage);
                assertThat(r.stderr()).as("%s", args).isEmpty();
            }
            final List<String> viaHelp = new ArrayList<>(List.of("help"));
            viaHelp.addAll(path);
            final CliHarness.Result r = cli.run(viaHelp.toArray(String[]::new));
            assertThat(r.exitCode()).as("%s", viaHelp).isZero();
            assertThat(r.out()).as("%s", viaHelp).startsWith(usage);
        }
    }

    @Test
    void aMissingOptionPointsAtTheHelpThatNowExists() {
        final CliHarness.Result r = cli.run("run");
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(r.stderr()).contains("see 'sealstream run --help'").hasLineCount(1);
        assertThat(cli.run("run", "--help").exitCode()).isZero();
    }

    @Test
    void helpForACommandThatDoesNotExistIsAUsageError() {
        final CliHarness.Result r = cli.run("help", "keys", "frobnicate");
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(r.stderr()).contains("no command 'keys frobnicate'").hasLineCount(1);
    }

    @Test
    void versionNamesTheBuildAndItsCommit() {
        final CliHarness.Result r = cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("sealstream 0.1.0-SNAPSHOT (").doesNotContain("${")
                .containsPattern("\\(commit [0-9a-f]{7,}|\\(built outside a git clone\\)").contains("java 17");
    }

    @Test
    void theBashCompletionScriptCompletesCommandsSubcommandsAndOptionsInARealShell() throws Exception {
        final CliHarness.Result r = cli.run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        final java.nio.file.Path script = java.nio.file.Files.createTempFile("sealstream-completion", ".bash");
        try {
            java.nio.file.Files.write(script, r.stdout());
            // What a user's shell does on TAB: source the script, fill COMP_WORDS, call the completion function.
            assertThat(complete(script, "sealstream", "ke")).containsExactly("keys");
            assertThat(complete(script, "sealstream", "keys", "ro")).containsExactly("rotate");
            assertThat(complete(script, "sealstream", "audit", "verify", "--js")).containsExactly("--json");
            assertThat(complete(script, "sealstream", "")).contains("run", "get", "audit", "dlq", "keys", "completion");
        } finally {
            java.nio.file.Files.deleteIfExists(script);
        }
        assertThat(cli.run("completion", "zsh").out()).startsWith("autoload -U +X compinit && compinit")
                .contains("bashcompinit").contains("_complete_sealstream");
        assertThat(cli.run("completion", "fish").exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
    }

    /** The completions bash offers for the last word of {@code words}. */
    private static List<String> complete(final java.nio.file.Path script, final String... words) throws Exception {
        final StringBuilder array = new StringBuilder();
        for (final String w : words) {
            array.append('\'').append(w).append("' ");
        }
        final Process bash = new ProcessBuilder("bash", "-c", "source '" + script + "'; COMP_WORDS=(" + array
                + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + String.join(" ", words)
                + "'; COMP_POINT=${#COMP_LINE}; _complete_sealstream; printf '%s\\n' \"${COMPREPLY[@]}\"")
                // compopt complains outside a real completion ("not currently executing completion function")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(out).isZero();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static void walk(final CommandLine command, final List<String> path, final List<List<String>> out) {
        out.add(List.copyOf(path));
        for (final var sub : command.getSubcommands().entrySet()) {
            if (!sub.getKey().equals(sub.getValue().getCommandName()) || sub.getKey().equals("help")) {
                continue; // an alias, or the help command itself
            }
            final List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            walk(sub.getValue(), next, out);
        }
    }
}
