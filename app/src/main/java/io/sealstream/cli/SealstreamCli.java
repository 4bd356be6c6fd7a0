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
        subcommands = {RunCommand.class, GetCommand.class, AuditCommand.class, DlqCommand.class, KeysCommand.class, RotateCommand.class, ShredCommand.class, EncryptCommand.class, DecryptCommand.class, InspectCommand.class})
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
        return cli.execute(args);
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
            final String v = SealstreamCli.class.getPackage().getImplementationVersion();
            return new String[] {"sealstream " + (v == null ? "development build" : v)};
        }
    }
}
