package io.sealstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module map of docs/ARCHITECTURE.md, checked against the code: every module's main classes use only the modules
 * below it, and nothing outside a module reaches into its {@code internal}/{@code internals} packages. The poms state
 * the same dependencies; this test catches an import the build would allow through a transitive dependency.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sealstream");
    }

    @Test
    void everyModuleUsesOnlyTheModulesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("base").definedBy("io.sealstream.config..", "io.sealstream.text..")
                .layer("health").definedBy("io.sealstream.health..")
                .layer("schemas").definedBy("io.sealstream.events..")
                .layer("kms-api").definedBy("io.sealstream.kms")
                .layer("kms-stack").definedBy("io.sealstream.kms.cache..", "io.sealstream.kms.retry..",
                        "io.sealstream.kms.metrics..", "io.sealstream.kms.stack..")
                .layer("kms-providers").definedBy("io.sealstream.kms.local..", "io.sealstream.kms.pkcs11..",
                        "io.sealstream.kms.hadoop..", "io.sealstream.kms.aws..", "io.sealstream.kms.vault..",
                        "io.sealstream.kms.customer..")
                .layer("kms-testkit").definedBy("io.sealstream.kms.testing..")
                .layer("envelope").definedBy("io.sealstream.envelope..")
                .layer("store").definedBy("io.sealstream.store..")
                .layer("serde").definedBy("io.sealstream.serde..")
                .layer("audit").definedBy("io.sealstream.audit")
                .layer("streams").definedBy("io.sealstream.pipeline..", "io.sealstream.objects..")
                .layer("lifecycle").definedBy("io.sealstream.keys..", "io.sealstream.reader..", "io.sealstream.audit.kafka..")
                .layer("app").definedBy("io.sealstream.app..", "io.sealstream.cli..")
                .layer("devstack").definedBy("io.sealstream.stack..")
                .layer("testing").definedBy("io.sealstream.testing..")
                .layer("dev").definedBy("io.sealstream.dev..")

                .whereLayer("dev").mayNotBeAccessedByAnyLayer()
                .whereLayer("testing").mayNotBeAccessedByAnyLayer()
                .whereLayer("app").mayOnlyBeAccessedByLayers("dev")
                .whereLayer("devstack").mayOnlyBeAccessedByLayers("dev", "testing")
                .whereLayer("lifecycle").mayOnlyBeAccessedByLayers("app", "dev")
                .whereLayer("streams").mayOnlyBeAccessedByLayers("lifecycle", "app", "dev")
                .whereLayer("audit").mayOnlyBeAccessedByLayers("streams", "lifecycle", "app", "dev")
                .whereLayer("serde").mayOnlyBeAccessedByLayers("streams", "lifecycle", "app", "dev")
                .whereLayer("store").mayOnlyBeAccessedByLayers("streams", "lifecycle", "app", "dev")
                .whereLayer("envelope").mayOnlyBeAccessedByLayers("streams", "lifecycle", "app", "dev")
                .whereLayer("kms-testkit").mayNotBeAccessedByAnyLayer()
                .whereLayer("kms-providers").mayOnlyBeAccessedByLayers("app", "dev")
                .whereLayer("kms-stack").mayOnlyBeAccessedByLayers("streams", "lifecycle", "app", "dev")
                .whereLayer("kms-api").mayOnlyBeAccessedByLayers("kms-stack", "kms-providers", "kms-testkit", "envelope",
                        "streams", "lifecycle", "app", "dev")
                .whereLayer("schemas").mayOnlyBeAccessedByLayers("audit", "streams", "lifecycle", "app", "dev")
                .whereLayer("health").mayOnlyBeAccessedByLayers("store", "serde", "streams", "lifecycle", "app", "dev")
                .check(classes);
    }

    /** The check sees the real classes: the same kind of rule, wrong on purpose, fails. */
    @Test
    void theCheckFailsOnAWrongRule() {
        org.assertj.core.api.Assertions.assertThat(classes.contain("io.sealstream.app.SealstreamApp")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.contain("io.sealstream.pipeline.internals.UploadProcessor")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.contain("io.sealstream.kms.KmsProviderFactory")).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> layeredArchitecture().consideringOnlyDependenciesInLayers()
                        .layer("store").definedBy("io.sealstream.store..")
                        .layer("streams").definedBy("io.sealstream.pipeline..", "io.sealstream.objects..")
                        .whereLayer("store").mayNotBeAccessedByAnyLayer()
                        .check(classes))
                .isInstanceOf(AssertionError.class).hasMessageContaining("io.sealstream.pipeline");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noClasses().that().resideInAPackage("io.sealstream.pipeline")
                        .should().dependOnClassesThat().resideInAPackage("io.sealstream.pipeline.internals..")
                        .check(classes))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void nothingOutsideAModuleUsesItsInternals() {
        noClasses().that().resideOutsideOfPackage("io.sealstream.pipeline..")
                .should().dependOnClassesThat().resideInAPackage("io.sealstream.pipeline.internals..")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("io.sealstream.envelope..")
                .should().dependOnClassesThat().resideInAPackage("io.sealstream.envelope.internal..")
                .check(classes);
    }
}
