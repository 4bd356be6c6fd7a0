package io.sealstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.sealstream.app.SealstreamRuntime;
import io.sealstream.app.ops.OpsConfigKeys;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes, parsed into fabric8's typed Kubernetes model (an unknown field fails the test) and checked against
 * the application: what a reviewer of the manifests would otherwise check by hand, and what breaks silently in a
 * cluster (a probe on the wrong port, a selector that matches nothing, a file the configuration names but no volume
 * provides).
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static StatefulSet statefulSet;
    private static ConfigMap configMap;
    private static Service service;
    private static PodDisruptionBudget pdb;
    private static ServiceMonitor serviceMonitor;
    private static ServiceAccount serviceAccount;
    private static Map<String, String> settings;
    private static Container container;

    @BeforeAll
    static void parse() throws IOException {
        statefulSet = read("statefulset.yaml", StatefulSet.class);
        configMap = read("configmap.yaml", ConfigMap.class);
        service = read("service.yaml", Service.class);
        pdb = read("poddisruptionbudget.yaml", PodDisruptionBudget.class);
        serviceMonitor = read("servicemonitor.yaml", ServiceMonitor.class);
        serviceAccount = read("serviceaccount.yaml", ServiceAccount.class);
        final Properties p = new Properties();
        p.load(new StringReader(configMap.getData().get("sealstream.properties")));
        settings = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k).trim()));
        container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static <T> T read(final String file, final Class<T> type) throws IOException {
        final T parsed = YAML.readValue(DIR.resolve(file).toFile(), type);
        assertNoUnknownFields(parsed, file);
        final JsonNode raw = YAML.readTree(DIR.resolve(file).toFile());
        assertThat(raw.get("kind").asText()).as(file).isEqualTo(type.getSimpleName());
        return parsed;
    }

    /**
     * fabric8's model keeps fields it does not know aside (additionalProperties) instead of failing: a misspelled field
     * (runAsNonRot) would pass unnoticed. Walks the parsed model and fails on any.
     */
    static void assertNoUnknownFields(final Object node, final String path) {
        if (node == null) {
            return;
        }
        if (node instanceof java.util.Collection<?> items) {
            int i = 0;
            for (final Object item : items) {
                assertNoUnknownFields(item, path + "[" + i++ + "]");
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (final java.lang.reflect.Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            final Object value;
            try {
                value = getter.invoke(node);
            } catch (final ReflectiveOperationException e) {
                throw new AssertionError(path + ": " + e, e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as(path + ": fields the Kubernetes schema does not have").isNullOrEmpty();
            } else {
                assertNoUnknownFields(value, path + "." + getter.getName().substring(3));
            }
        }
    }

    @Test
    void aMisspelledFieldIsCaughtNotIgnored() throws IOException {
        final StatefulSet typo = YAML.readValue(String.join("\n",
                "apiVersion: apps/v1",
                "kind: StatefulSet",
                "spec:",
                "  template:",
                "    spec:",
                "      securityContext:",
                "        runAsNonRot: true", ""), StatefulSet.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertNoUnknownFields(typo, "typo.yaml"))
                .hasMessageContaining("runAsNonRot");
    }

    @Test
    void kustomizationListsEveryManifestAndNothingElse() throws IOException {
        final JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        final List<String> listed = Stream.of(YAML.convertValue(kustomization.get("resources"), String[].class)).sorted()
                .toList();
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(listed).isEqualTo(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList());
        }
    }

    @Test
    void theConfigurationPassesSealstreamsOwnValidation() {
        SealstreamRuntime.validate(settings);
        assertThat(settings).containsKeys("bootstrap.servers", "schema.registry.url", "state.dir");
        assertThat(settings.keySet()).as("no secret in the ConfigMap: values of secret keys are provider references")
                // Keys the app hides in logs, but for those that only name where a secret comes from.
                .filteredOn(k -> io.sealstream.app.SealstreamConfig.isSecret(k) && !k.startsWith("config.providers.")
                        && !k.equals("basic.auth.credentials.source"))
                .isNotEmpty()
                .allSatisfy(k -> assertThat(settings.get(k)).contains("${secrets:"));
    }

    @Test
    void probesAndScrapesUseThePortAndPathsTheApplicationServes() {
        final int opsPort = Integer.parseInt(settings.getOrDefault(OpsConfigKeys.PORT.name(), "8080"));
        final ContainerPort ops = container.getPorts().stream().filter(p -> "ops".equals(p.getName())).findFirst()
                .orElseThrow();
        assertThat(ops.getContainerPort()).isEqualTo(opsPort);
        assertProbe(container.getLivenessProbe(), "/health/live");
        assertProbe(container.getStartupProbe(), "/health/live");
        assertProbe(container.getReadinessProbe(), "/health/ready");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("ops");
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("ops");
        });
        assertThat(serviceMonitor.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPort()).isEqualTo("ops");
            assertThat(e.getPath()).isEqualTo("/metrics");
        });
        assertThat(serviceMonitor.getSpec().getSelector().getMatchLabels())
                .isEqualTo(service.getMetadata().getLabels());
    }

    private static void assertProbe(final Probe probe, final String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("ops");
    }

    @Test
    void everySelectorMatchesThePods() {
        final Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo(service.getMetadata().getName());
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(serviceAccount.getMetadata().getName());
    }

    @Test
    void everyFileTheConfigurationNamesIsMountedAndTheStateIsOnTheVolume() {
        final List<VolumeMount> mounts = container.getVolumeMounts();
        final Map<String, Volume> volumes = new TreeMap<>();
        statefulSet.getSpec().getTemplate().getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
        // The config file the container runs with comes from the ConfigMap.
        final String configFile = container.getArgs().get(container.getArgs().indexOf("--config") + 1);
        final VolumeMount configMount = mountOf(mounts, configFile);
        assertThat(volumes.get(configMount.getName()).getConfigMap().getName())
                .isEqualTo(configMap.getMetadata().getName());
        assertThat(configMap.getData()).containsKey(Path.of(configFile).getFileName().toString());
        // Secrets: the key store, the passphrase file and every provider reference point into the secret volume.
        final String secretsPath = "/etc/sealstream/secrets";
        final VolumeMount secretMount = mountOf(mounts, secretsPath + "/x");
        assertThat(secretMount.getReadOnly()).isTrue();
        assertThat(volumes.get(secretMount.getName()).getSecret()).isNotNull();
        assertThat(settings.get("sealstream.kms.local.keystore")).startsWith(secretsPath + "/");
        final EnvVar passphrase = container.getEnv().stream()
                .filter(e -> e.getName().equals("SEALSTREAM_KEYSTORE_PASSWORD_FILE")).findFirst().orElseThrow();
        assertThat(passphrase.getValue()).startsWith(secretsPath + "/");
        assertThat(String.join("\n", settings.values())).contains("${secrets:" + secretsPath + ":");
        assertThat(settings.get("config.providers.secrets.class"))
                .isEqualTo("org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        // Kafka Streams' state on the claim, so a restarted pod keeps its state and its transactional ids.
        final VolumeMount stateMount = mountOf(mounts, settings.get("state.dir"));
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates())
                .anySatisfy(c -> assertThat(c.getMetadata().getName()).isEqualTo(stateMount.getName()));
        // A read-only root file system needs a writable /tmp for RocksDB's native library.
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(volumes.get(mountOf(mounts, "/tmp/x").getName()).getEmptyDir()).isNotNull();
    }

    private static VolumeMount mountOf(final List<VolumeMount> mounts, final String file) {
        return mounts.stream().filter(m -> file.startsWith(m.getMountPath() + "/") || file.equals(m.getMountPath()))
                .findFirst().orElseThrow(() -> new AssertionError("no volume is mounted at " + file));
    }

    @Test
    void shutdownFailoverAndResourcesFollowWhatWasMeasured() {
        // Kafka Streams closes within 60 s (SealstreamApp.close); the grace period must cover it.
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isGreaterThan(60L);
        // Standby replicas need a second pod; the budget lets one go at a time.
        assertThat(statefulSet.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(settings.getOrDefault("num.standby.replicas", "1")).isNotEqualTo("0");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        // docs/PERFORMANCE.md: up to 420 MiB resident with a 1 GiB heap; the limit leaves room for that.
        final Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(Quantity.getAmountInBytes(limits.get("memory")).longValue()).isGreaterThanOrEqualTo(512L << 20);
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getValue()).contains("MaxRAMPercentage"));
    }
}
