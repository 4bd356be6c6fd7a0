package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.config.ConfigRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@code sealstream.*} key the main code names is declared (a key, or a member of a declared family), so a
 * setting added without a declaration fails the build. Found in every main source file of the repository: string
 * literals such as {@code "sealstream.retry.max-block"}, and a {@code PREFIX}-style constant joined to a literal
 * ({@code PREFIX + "region"} where {@code PREFIX = "sealstream.kms.aws-kms."}).
 */
class ConfigKeysDeclaredTest {

    /**
     * {@code "sealstream.<word>(.<word>)*"}: one word after the namespace is enough ({@code sealstream.instance-id},
     * {@code sealstream.static-membership} are keys), which is why the default topic names are listed below.
     */
    private static final Pattern LITERAL = Pattern.compile("\"(sealstream\\.[a-z0-9-]+(\\.[a-z0-9-]+)*)\"");
    private static final Pattern PREFIX_CONSTANT = Pattern.compile(
            "\\b([A-Z][A-Z0-9_]*)\\s*=\\s*\"(sealstream\\.[a-z0-9.-]+\\.)\"\\s*;");
    private static final String JOINED = "\\b%s\\s*\\+\\s*\"([a-z0-9-]+(\\.[a-z0-9-]+)*)\"";

    /** Literals that look like keys and are not settings, each with the reason. */
    private static final Map<String, String> NOT_SETTINGS = new TreeMap<>(Map.ofEntries(
            // Default topic names (Topics, KeyTopics): values of the sealstream.topic.* settings, not keys.
            Map.entry("sealstream.uploads", "default of sealstream.topic.uploads"),
            Map.entry("sealstream.objects", "default of sealstream.topic.objects"),
            Map.entry("sealstream.audit", "default of sealstream.topic.audit"),
            Map.entry("sealstream.rotation", "default of sealstream.topic.rotation"),
            Map.entry("sealstream.dlq", "default of sealstream.topic.dlq"),
            Map.entry("sealstream.deks", "default of sealstream.topic.deks"),
            Map.entry("sealstream.commands", "default of sealstream.topic.commands"),
            Map.entry("sealstream.jobs", "default of sealstream.topic.jobs"),
            // JVM system properties of the build and the test kits, never read from the configuration.
            Map.entry("sealstream.stack.home", "system property: where the build put the local stack (LocalStack)"),
            Map.entry("sealstream.apicurio.dir", "system property set by failsafe: Apicurio's runner jar (ApicurioRegistry)"),
            Map.entry("sealstream.softhsm.library", "system property: the SoftHSM2 module of the test kit (SoftHsmToken)"),
            Map.entry("sealstream.hadoop-kms.classpath", "system property set by surefire: Hadoop KMS test server"),
            Map.entry("sealstream.log.format", "system property read by logback.xml (or SEALSTREAM_LOG_FORMAT): the log format"),
            // Not settings.
            Map.entry("sealstream.internal.schema-registry-health",
                    "an object the app hands its serdes in their configs map, never set in a file"),
            Map.entry("sealstream.kms.pkcs11.pin", "refused on purpose: the PIN never comes from the configuration")));

    /**
     * Sources whose {@code sealstream.*} literals are meter names (docs/OPERATIONS.md, "Metrics"), not settings: they
     * name meters only, and a setting read there would be missed, so they read none.
     */
    private static final Set<String> METER_SOURCES = Set.of(
            "streams/src/main/java/io/sealstream/pipeline/PipelineMeters.java",
            "app/src/main/java/io/sealstream/app/ops/SealstreamMeterBinder.java");

    private static Path root;
    private static Map<String, Set<String>> found;

    @BeforeAll
    static void scan() throws IOException {
        root = Path.of("").toAbsolutePath().getParent();
        found = new TreeMap<>();
        final List<Path> sources = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs) {
                final String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return !dir.equals(root) && (name.startsWith(".") || name.equals("target") || name.equals("data")
                        || name.equals("node_modules")) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) {
                final String path = root.relativize(file).toString().replace('\\', '/');
                if (path.endsWith(".java") && path.contains("/src/main/java/") && !METER_SOURCES.contains(path)) {
                    sources.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        for (final Path file : sources) {
            final String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            final String where = root.relativize(file).toString();
            final Matcher literal = LITERAL.matcher(text);
            while (literal.find()) {
                found.computeIfAbsent(literal.group(1), k -> new TreeSet<>()).add(where);
            }
            final Matcher prefix = PREFIX_CONSTANT.matcher(text);
            while (prefix.find()) {
                final Matcher joined = Pattern.compile(String.format(JOINED, Pattern.quote(prefix.group(1)))).matcher(text);
                while (joined.find()) {
                    found.computeIfAbsent(prefix.group(2) + joined.group(1), k -> new TreeSet<>()).add(where);
                }
            }
        }
    }

    @Test
    void theMeterSourcesExistAndReadNoSetting() throws IOException {
        for (final String path : METER_SOURCES) {
            assertThat(Files.readString(root.resolve(path))).as(path).doesNotContain("ConfigKey")
                    .doesNotContain("config.get(");
        }
    }

    @Test
    void theScanSeesTheCode() {
        assertThat(found).containsKeys("sealstream.retry.max-block", "sealstream.kms.aws-kms.region",
                "sealstream.instance-id", "sealstream.uploads",
                "sealstream.store.s3.part-size", "sealstream.keys.default", "sealstream.keys.tenant.acme");
    }

    @Test
    void everyKeyTheCodeNamesIsDeclared() {
        final ConfigRegistry registry = ConfigRegistry.load();
        final Map<String, Set<String>> undeclared = new TreeMap<>();
        found.forEach((key, files) -> {
            if (!NOT_SETTINGS.containsKey(key) && !registry.isDeclared(key)) {
                undeclared.put(key, files);
            }
        });
        assertThat(undeclared)
                .as("keys named in main code but not declared: declare each in its module's <Module>ConfigKeys "
                        + "(a ConfigKeySet), or, if it is not a setting, list it in NOT_SETTINGS with the reason")
                .isEmpty();
    }

    @Test
    void theListOfExceptionsIsNotStale() {
        final ConfigRegistry registry = ConfigRegistry.load();
        assertThat(NOT_SETTINGS.keySet()).allSatisfy(key -> {
            assertThat(found).as("%s is no longer in the code: drop it from NOT_SETTINGS", key).containsKey(key);
            assertThat(registry.isDeclared(key)).as("%s is declared: drop it from NOT_SETTINGS", key).isFalse();
        });
    }
}
