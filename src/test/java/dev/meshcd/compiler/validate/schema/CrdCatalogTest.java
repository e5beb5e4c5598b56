package dev.meshcd.compiler.validate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.validate.ValidationTestSupport;
import dev.meshcd.compiler.validate.cel.CelRules;
import dev.meshcd.compiler.validate.cel.CelValidator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CrdCatalogTest {
    @Test
    void kindRegistryListsExactlyTheServedVersionsOfTheCrds() {
        Map<Kind, Set<String>> fromCrds = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (CrdCatalog.Crd crd : CrdCatalog.istio().all()) {
            fromCrds.put(crd.kind(), crd.versions().values().stream().filter(CrdCatalog.Version::served)
                    .map(CrdCatalog.Version::name).collect(Collectors.toCollection(TreeSet::new)));
            assertThat(crd.namespaced()).as(crd.kind() + " namespaced").isTrue();
        }
        Map<Kind, Set<String>> fromRegistry = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (KindInfo info : KindRegistry.standard().all()) {
            if (info.role() == KindInfo.Role.ISTIO && info.kind().isIstio()) { // Gateway API: GatewayApiValidationTest
                fromRegistry.put(info.kind(), new TreeSet<>(info.versions()));
                assertThat(info.namespaced()).isTrue();
            }
        }
        assertThat(fromCrds).hasSize(15);
        assertThat(fromRegistry).isEqualTo(fromCrds);
    }

    @Test
    void nothingIsReadUntilAnIstioResourceIsValidated() {
        CrdCatalog catalog = CrdCatalog.fromClasspath(CrdCatalog.ISTIO_RESOURCE);
        SchemaValidator schema = new SchemaValidator(KindRegistry.standard(), catalog);
        CelRules celRules = new CelRules();
        CelValidator cel = new CelValidator(KindRegistry.standard(), catalog, celRules);
        Diagnostics sink = new Diagnostics();
        for (Resource r : ValidationTestSupport.resources("k8s.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec: {}
                """, sink)) {
            schema.validate(r, sink);
            cel.validate(r, sink);
        }
        assertThat(catalog.loaded()).isFalse();

        Resource dr = ValidationTestSupport.resource("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: r}
                spec: {host: reviews}
                """);
        schema.validate(dr, sink);
        cel.validate(dr, sink);
        assertThat(catalog.loaded()).isTrue();
        assertThat(catalog.parsedCount()).as("only the DestinationRule CRD is parsed").isEqualTo(1);
        assertThat(celRules.compiledCount()).as("no field with a rule was set: CEL not needed yet").isZero();

        Resource vs = ValidationTestSupport.resource("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs}
                spec:
                  hosts: [reviews]
                  http: [{timeout: 5s, route: [{destination: {host: reviews}}]}]
                """);
        schema.validate(vs, sink);
        cel.validate(vs, sink);
        assertThat(celRules.compiledCount()).as("only the timeout rule").isEqualTo(1);
        assertThat(sink.sorted()).isEmpty();
    }

    @Test
    void everyIstioCrdVersionHasACompiledSchema() {
        for (CrdCatalog.Crd crd : CrdCatalog.istio().all()) {
            for (CrdCatalog.Version v : crd.versions().values()) {
                SchemaNode root = v.schema();
                assertThat(root.type()).isEqualTo(SchemaNode.Type.OBJECT);
                assertThat(root.property("spec")).as(crd.kind() + "/" + v.name()).isNotNull();
            }
        }
    }
}
