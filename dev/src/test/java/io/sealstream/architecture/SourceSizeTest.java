package io.sealstream.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layout readable as it grows: no module holds more than 30% of the main (non-test, non-generated) lines,
 * and no main class is over 500 lines. A newcomer should find one concept per module and read any class in one go.
 */
class SourceSizeTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final int MAX_CLASS_LINES = 500;
    private static final double MAX_MODULE_SHARE = 0.30;

    /** Main source lines per module (a folder holding a pom.xml and src/main/java), keyed by its path. */
    static Map<String, Long> mainLinesByModule() {
        try (Stream<Path> poms = Files.walk(ROOT, 3)) {
            return poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .map(Path::getParent)
                    .filter(module -> Files.isDirectory(module.resolve("src/main/java")))
                    .collect(Collectors.toMap(module -> ROOT.relativize(module).toString(),
                            module -> javaFiles(module.resolve("src/main/java")).values().stream()
                                    .mapToLong(Long::longValue).sum(),
                            (a, b) -> a, TreeMap::new));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Line count of every main Java file under {@code sources}. */
    static Map<Path, Long> javaFiles(final Path sources) {
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .collect(Collectors.toMap(p -> p, SourceSizeTest::lines, (a, b) -> a, TreeMap::new));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lines(final Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theRepositoryIsFound() {
        // The checks below would pass on an empty tree: make sure they see the real one.
        assertThat(mainLinesByModule()).containsKeys("streams", "envelope", "app", "kms-client/api");
        assertThat(mainLinesByModule().values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(10_000);
    }

    @Test
    void noModuleHoldsMoreThanThirtyPercentOfTheMainLines() {
        final Map<String, Long> lines = mainLinesByModule();
        final long total = lines.values().stream().mapToLong(Long::longValue).sum();
        assertThat(lines).allSatisfy((module, count) -> assertThat((double) count / total)
                .as("%s holds %d of %d main lines", module, count, total)
                .isLessThanOrEqualTo(MAX_MODULE_SHARE));
    }

    @Test
    void noMainClassIsOverFiveHundredLines() {
        final Map<Path, Long> tooLong = new TreeMap<>();
        for (final String module : mainLinesByModule().keySet()) {
            javaFiles(ROOT.resolve(module).resolve("src/main/java")).forEach((file, count) -> {
                if (count > MAX_CLASS_LINES) {
                    tooLong.put(ROOT.relativize(file), count);
                }
            });
        }
        assertThat(tooLong).as("main classes over %d lines: split them by concern", MAX_CLASS_LINES).isEmpty();
    }
}
