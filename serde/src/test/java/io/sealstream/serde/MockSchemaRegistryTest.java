package io.sealstream.serde;

import static io.sealstream.serde.TestEvents.WIDGET;
import static io.sealstream.serde.TestEvents.WIDGET_REQUIRED_FIELD;
import static io.sealstream.serde.TestEvents.WIDGET_V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {

    private final String scope = "mock-test-" + UUID.randomUUID();
    private final MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    @Test
    void sameSchemaGetsSameIdUnderEverySubjectAndVersionsCountPerSubject() {
        final int a = registry.register("a-value", WIDGET);
        assertThat(registry.register("a-value", WIDGET)).isEqualTo(a);
        assertThat(registry.register("b-value", WIDGET)).isEqualTo(a);
        final int v2 = registry.register("a-value", WIDGET_V2);

        assertThat(v2).isNotEqualTo(a);
        assertThat(registry.getLatest("a-value")).isEqualTo(new RegisteredSchema(v2, 2, "a-value", WIDGET_V2));
        assertThat(registry.getLatest("b-value").version()).isEqualTo(1);
        assertThat(registry.getById(a)).isEqualTo(WIDGET);
        assertThat(registry.getId("b-value", WIDGET)).isEqualTo(a);
        assertThat(registry.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void unknownIdsSubjectsAndSchemasCarryConfluentErrorCodes() {
        registry.register("a-value", WIDGET);

        assertThatThrownBy(() -> registry.getById(999)).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> registry.getLatest("nope")).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> registry.getId("nope", WIDGET)).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> registry.getId("a-value", WIDGET_V2))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40403))
                .hasMessageContaining("a-value");
    }

    @Test
    void defaultLevelIsBackwardLikeConfluent() {
        registry.register("w-value", WIDGET);

        assertThat(registry.isCompatible("w-value", WIDGET_V2)).isTrue();
        assertThat(registry.isCompatible("w-value", WIDGET_REQUIRED_FIELD)).isFalse();
        assertThatThrownBy(() -> registry.register("w-value", WIDGET_REQUIRED_FIELD))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
                .hasMessageContaining("w-value").hasMessageContaining("weight").hasMessageNotContaining("\n");
        assertThat(registry.getLatest("w-value").version()).isEqualTo(1);
    }

    @Test
    void levelsPerSubjectAndGlobal() {
        registry.register("w-value", WIDGET);
        registry.setCompatibility("w-value", "none");
        assertThat(registry.register("w-value", WIDGET_REQUIRED_FIELD)).isPositive();

        registry.register("x-value", WIDGET);
        registry.setCompatibility(null, "FORWARD");
        // FORWARD: the old schema must read the new one; dropping a field without default is fine, the
        // defaulted field added by V2 is fine too, but a type change is not.
        assertThat(registry.isCompatible("x-value", WIDGET_V2)).isTrue();
        final Schema countAsString = new Schema.Parser().parse("""
                {"type":"record","name":"Widget","namespace":"io.sealstream.test","fields":[
                  {"name":"name","type":"string"},{"name":"count","type":"string"}]}""");
        assertThat(registry.isCompatible("x-value", countAsString)).isFalse();
        assertThat(registry.isCompatible("never-registered", countAsString)).isTrue();

        assertThatThrownBy(() -> registry.setCompatibility(null, "SIDEWAYS")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BACKWARD");
    }

    @Test
    void scopesAreSharedByNameAndIsolatedFromEachOther() {
        registry.register("a-value", WIDGET);
        assertThat(MockSchemaRegistry.forScope(scope)).isSameAs(registry);
        assertThat(SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://" + scope))).isSameAs(registry);

        final String other = scope + "-other";
        try {
            assertThat(MockSchemaRegistry.forScope(other).subjects()).isEmpty();
        } finally {
            MockSchemaRegistry.dropScope(other);
        }

        MockSchemaRegistry.dropScope(scope);
        assertThat(MockSchemaRegistry.forScope(scope).subjects()).isEmpty();
    }
}
