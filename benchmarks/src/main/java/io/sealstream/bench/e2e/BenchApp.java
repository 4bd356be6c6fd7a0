package io.sealstream.bench.e2e;

import io.sealstream.app.SealstreamApp;
import io.sealstream.app.SealstreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The application under test, in its own JVM so that its resident memory is its own: {@code --variant encrypt} is
 * {@code sealstream run}; {@code --variant plain} is the same pipeline with encryption replaced by a plain copy
 * ({@link PlaintextCopyWriter}).
 * Prints {@code RUNNING} on stdout once every task is assigned.
 */
public final class BenchApp {

    private BenchApp() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("--config") || !args[2].equals("--variant")) {
            System.err.println("usage: BenchApp --config FILE --variant encrypt|plain");
            System.exit(2);
        }
        final Map<String, String> config = SealstreamConfig.load(Path.of(args[1]), System.getenv());
        final SealstreamApp app = switch (args[3]) {
            case "encrypt" -> SealstreamApp.start(config, System.getenv());
            case "plain" -> SealstreamApp.start(config, System.getenv(), PlaintextCopyWriter::new);
            default -> throw new IllegalArgumentException("unknown variant " + args[3]);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "bench-app-stop"));
        if (!app.awaitRunning(Duration.ofMinutes(2))) {
            System.err.println("pipeline did not start: " + app.state());
            System.exit(1);
        }
        System.out.println("RUNNING");
        System.out.flush();
        System.exit(app.awaitStop() ? 1 : 0);
    }
}
