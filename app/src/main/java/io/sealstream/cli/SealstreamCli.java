package io.sealstream.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./sealstream}. Every failure ends with exit code non-zero and exactly one line on stderr:
 * no stack trace, no secret. Exit codes: 0 ok, 1 other failure (I/O, bad file), 2 usage error,
 * 3 rejected: ciphertext tampered, truncated, or under the wrong context or key; an audit trail that fails
 * verification. 4 key or KMS error.
 */
@Command(name = "sealstream", mixinStandardHelpOptions = true, versionProvider = SealstreamCli.Version.class,
        description = "Envelope encryption of objects under KMS data keys.",
        subcommands = {RunCommand.class, GetCommand.class, GatewayCommand.class, AuditCommand.class, DlqCommand.class, KeysCommand.class, RotateCommand.class, ShredCommand.class, EncryptCommand.class, DecryptCommand.class, InspectCommand.class})
public final class SealstreamCli implements Runnable {

    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_REJECTED = 3;
    public static final int EXIT_KEY_ERROR = 4;

    /** What a command may touch of the outside world; tests substitute all of it. */
    public record Io(InputStream stdin, PrintStream stdout, PrintStream stderr, Map<String, String> environment) {
        public static Io system() {
            return new Io(System.in, System.out, System.err, System.getenv());
        }
    }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(execute(args, Io.system()));
    }

    /** Runs one command line and returns its exit code. */
    public static int execute(final String[] args, final Io io) {
        return commandLine(io).execute(args);
    }

    /**
     * The whole command tree, wired to {@code io}: every command and subcommand answers {@code --help} and
     * {@code -h} (before any required option is checked), and {@code sealstream help [COMMAND...]} prints any
     * command's usage.
     */
    static CommandLine commandLine(final Io io) {
        final IoFactory factory = new IoFactory(io);
        final CommandLine cli = new CommandLine(new SealstreamCli(), factory);
        for (final CliExtension extension : java.util.ServiceLoader.load(CliExtension.class)) {
            for (final Class<?> command : extension.subcommands()) {
                try {
                    cli.addSubcommand(factory.create(command));
                } catch (final Exception e) {
                    throw new IllegalStateException("cannot create the " + command.getSimpleName() + " command", e);
                }
            }
        }
        cli.addSubcommand("help", new Help());
        cli.addSubcommand("completion", new Completion());
        addHelpOptions(cli);
        cli.setOut(new PrintWriter(io.stdout(), true));
        cli.setErr(new PrintWriter(io.stderr(), true));
        cli.setParameterExceptionHandler((e, a) -> {
            io.stderr().println("sealstream: " + oneLine(e.getMessage()) + " (see 'sealstream "
                    + commandPath(e.getCommandLine()) + "--help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            final CliFailure failure = CliFailure.from(e);
            io.stderr().println("sealstream: " + oneLine(failure.getMessage()));
            return failure.exitCode();
        });
        return cli;
    }

    /**
     * Gives {@code command} and all below it a usage-help option, {@code -h, --help} (only {@code --help} where a
     * command uses {@code -h} itself). Not picocli's whole standard mixin: its {@code --version} would clash with
     * commands that take a key version.
     */
    private static void addHelpOptions(final CommandLine command) {
        final CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        if (spec.optionsMap().get("--help") == null) {
            final String[] names = spec.optionsMap().containsKey("-h") ? new String[] {"--help"}
                    : new String[] {"-h", "--help"};
            spec.addOption(CommandLine.Model.OptionSpec.builder(names).usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        for (final CommandLine sub : new java.util.LinkedHashSet<>(command.getSubcommands().values())) {
            addHelpOptions(sub);
        }
    }

    private static String commandPath(final CommandLine c) {
        final StringBuilder path = new StringBuilder();
        for (CommandLine p = c; p != null && p.getParent() != null; p = p.getParent()) {
            path.insert(0, p.getCommandName() + " ");
        }
        return path.toString();
    }

    static String oneLine(final String message) {
        return message == null ? "unexpected error" : printable(message.replaceAll("[\\r\\n]+", " ").strip());
    }

    /** Escapes control characters, so that text from an object's header can not drive the terminal. */
    static String printable(final String s) {
        final StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code sealstream help [COMMAND [SUBCOMMAND...]]}: the usage of any command of the tree, at any depth. */
    @Command(name = "help", description = "Show the usage of a command, e.g. 'sealstream help keys rotate'.")
    static final class Help implements Runnable {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;
        @CommandLine.Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and subcommands.")
        private java.util.List<String> path = new java.util.ArrayList<>();

        @Override
        public void run() {
            CommandLine target = spec.parent().commandLine();
            for (final String name : path) {
                final CommandLine next = target.getSubcommands().get(name);
                if (next == null) {
                    throw new CliFailure("no command '" + String.join(" ", path) + "' (see 'sealstream help')",
                            EXIT_USAGE);
                }
                target = next;
            }
            target.usage(spec.commandLine().getOut());
        }
    }

    /**
     * {@code sealstream completion bash|zsh}: a completion script for every command, subcommand and option of this
     * tree, generated by picocli. zsh runs the same script through its bash compatibility ({@code bashcompinit}).
     */
    @Command(name = "completion", description = "Print a shell completion script: "
            + "'source <(sealstream completion bash)', or in zsh 'source <(sealstream completion zsh)'.")
    static final class Completion implements Runnable {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;
        @CommandLine.Parameters(paramLabel = "SHELL", description = "bash or zsh.")
        private String shell;

        @Override
        public void run() {
            final String script = picocli.AutoComplete.bash("sealstream", spec.parent().commandLine());
            switch (shell) {
                case "bash" -> spec.commandLine().getOut().print(script);
                case "zsh" -> spec.commandLine().getOut().print("autoload -U +X compinit && compinit\n"
                        + "autoload -U +X bashcompinit && bashcompinit\n" + script);
                default -> throw new CliFailure("completion: unknown shell '" + shell + "'; bash or zsh", EXIT_USAGE);
            }
            spec.commandLine().getOut().flush();
        }
    }

    /** Hands the same {@link Io} to every subcommand. */
    private static final class IoFactory implements CommandLine.IFactory {
        private final Io io;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        IoFactory(final Io io) {
            this.io = io;
        }

        @Override
        public <K> K create(final Class<K> cls) throws Exception {
            if (IoAware.class.isAssignableFrom(cls)) {
                // Commands are package-private classes, some in the developer distribution's own package.
                final java.lang.reflect.Constructor<K> constructor = cls.getDeclaredConstructor();
                constructor.setAccessible(true);
                final K instance = constructor.newInstance();
                ((IoAware) instance).io(io);
                return instance;
            }
            return fallback.create(cls);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sealstream " + describe(), "java " + System.getProperty("java.version") + " ("
                    + System.getProperty("java.vendor") + ")"};
        }

        /** {@code VERSION (commit ABBREV[, modified])} from the build's {@code build.properties}. */
        static String describe() {
            final java.util.Properties build = new java.util.Properties();
            try (java.io.InputStream in = SealstreamCli.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    build.load(in);
                }
            } catch (final java.io.IOException e) {
                return "(build information unreadable)";
            }
            final String version = known(build.getProperty("version"));
            final String commit = known(build.getProperty("commit"));
            return (version == null ? "(unknown version)" : version) + (commit == null ? " (built outside a git clone)"
                    : " (commit " + commit + ("true".equals(build.getProperty("dirty")) ? ", with local changes" : "")
                    + ")");
        }

        private static String known(final String value) {
            return value == null || value.isBlank() || value.startsWith("${") ? null : value;
        }
    }
}
