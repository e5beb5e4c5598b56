package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own analyzer cases (../shared/conformance/istio/analyzers, skipped when absent) for the analyzers whose
 * semantics meshcd ports: meshcd must report exactly the expected (code, resource) messages of the case's analyzer,
 * as often as Istio does, nothing missing and nothing extra. Run as Istio's harness runs a case: its input files plus
 * the default ingress gateway, objects without a namespace in "default"; a case of several clusters has its first
 * cluster's inputs as the repository and the others under meshcd.yaml's {@code clusters:}.
 */
class IstioAnalyzerCasesTest {
    /** Istio's analyzer (as MANIFEST.json names it) → the codes it reports. */
    private static final Map<String, Set<String>> CODES = Map.ofEntries(
            Map.entry("&gateway.ConflictingGatewayAnalyzer{}", Set.of("IST0145")),
            Map.entry("&service.PortNameAnalyzer{}", Set.of("IST0118", "IST0150")),
            Map.entry("&virtualservice.ConflictingMeshGatewayHostsAnalyzer{}", Set.of("IST0109")),
            Map.entry("&virtualservice.DestinationHostAnalyzer{}", Set.of("IST0101", "IST0112", "IST0140")),
            Map.entry("&virtualservice.DestinationRuleAnalyzer{}", Set.of("IST0101")),
            Map.entry("&virtualservice.GatewayAnalyzer{}", Set.of("IST0101", "IST0132", "IST0165")),
            Map.entry("&destinationrule.CaCertificateAnalyzer{}", Set.of("IST0128", "IST0129")),
            Map.entry("&destinationrule.PodNotSelectedAnalyzer{}", Set.of("IST0173", "IST0174")),
            Map.entry("schemaValidation.CollectionValidationAnalyzer(collections.VirtualService)", Set.of("IST0130", "IST0131")),
            Map.entry("&injection.Analyzer{}", Set.of("IST0102", "IST0103", "IST0123", "IST0148")),
            Map.entry("&injection.ImageAnalyzer{}", Set.of("IST0158")),
            Map.entry("&injection.ImageAutoAnalyzer{}", Set.of("IST0146", "IST0147")),
            Map.entry("&gateway.IngressGatewayPortAnalyzer{}", Set.of("IST0101", "IST0162")),
            Map.entry("&gateway.SecretAnalyzer{}", Set.of("IST0101", "IST0161")),
            Map.entry("&gateway.CertificateAnalyzer{}", Set.of("IST0138")),
            Map.entry("&sidecar.SelectorAnalyzer{}", Set.of("IST0101", "IST0110", "IST0111", "IST0167")),
            Map.entry("&telemetry.ProviderAnalyzer{}", Set.of("IST0157")),
            Map.entry("&telemetry.SelectorAnalyzer{}", Set.of("IST0101", "IST0159")),
            Map.entry("&telemetry.DefaultSelectorAnalyzer{}", Set.of("IST0160")),
            Map.entry("&virtualservice.JWTClaimRouteAnalyzer{}", Set.of("IST0149")),
            Map.entry("&webhook.Analyzer{}", Set.of("IST0139")),
            Map.entry("&externalcontrolplane.ExternalControlPlaneAnalyzer{}", Set.of("IST0163", "IST0164")),
            Map.entry("&multicluster.MeshNetworksAnalyzer{}", Set.of("IST0126")),
            Map.entry("&multicluster.ServiceAnalyzer{}", Set.of("IST0170")),
            Map.entry("&annotations.K8sAnalyzer{}", Set.of("IST0107", "IST0108", "IST0125", "IST0135")),
            Map.entry("&maturity.AlphaAnalyzer{}", Set.of("IST0136")),
            Map.entry("&deprecation.FieldAnalyzer{}", Set.of("IST0002")),
            Map.entry("&telemetry.LightstepAnalyzer{}", Set.of("IST0002")),
            Map.entry("&envoyfilter.EnvoyPatchAnalyzer{}", Set.of("IST0151", "IST0152", "IST0153", "IST0154", "IST0155")),
            Map.entry("&deployment.ServiceAssociationAnalyzer{}", Set.of("IST0116", "IST0137")),
            Map.entry("&deployment.ApplicationUIDAnalyzer{}", Set.of("IST0144")),
            Map.entry("&authz.AuthorizationPoliciesAnalyzer{}", Set.of("IST0101", "IST0127")),
            Map.entry("&authn.BlockedCIDRsAnalyzer{}", Set.of("IST0175")),
            Map.entry("&serviceentry.ProtocolAddressesAnalyzer{}", Set.of("IST0134")),
            Map.entry("&serviceentry.ConflictingServiceEntryProtocolAnalyzer{}", Set.of("IST0177")),
            Map.entry("&k8sgateway.SelectorAnalyzer{}", Set.of("IST0166")),
            Map.entry("&k8sgateway.CRDVersionAnalyzer{}", Set.of("IST0176")),
            Map.entry("&conditions.ConditionAnalyzer{}", Set.of("IST0171")));

    static Stream<Arguments> cases() throws Exception {
        Path root = SharedData.istioRoot();
        if (root == null) {
            return Stream.of(Arguments.of("../shared/conformance/istio is absent", null, "", List.of(), Map.of(), List.of()));
        }
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(root.resolve("analyzers/MANIFEST.json").toFile())) {
            Set<String> codes = CODES.get(c.path("analyzer").asText());
            String name = c.path("case_name").asText();
            if (codes == null) {
                continue;
            }
            List<Path> inputs = new ArrayList<>();
            // several clusters: the first one's inputs are the repository, the others meshcd.yaml's clusters:
            Map<String, List<Path>> clusters = new java.util.TreeMap<>();
            c.path("inputs_by_cluster").fields().forEachRemaining(e -> e.getValue().forEach(
                    i -> clusters.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(root.resolve(i.asText()))));
            if (clusters.isEmpty()) {
                c.path("inputs").forEach(i -> inputs.add(root.resolve(i.asText())));
            } else {
                inputs.addAll(clusters.remove(clusters.keySet().iterator().next()));
            }
            inputs.add(root.resolve("analyzers/harness/default-ingressgateway.rendered.yaml"));
            // Istio's AddFileKubeMeshConfig/AddFileKubeMeshNetworks: meshcd reads both from ConfigMap istio-system/istio
            for (String[] input : new String[][]{{"mesh_config_file", "mesh"}, {"mesh_networks_file", "meshNetworks"}}) {
                if (c.hasNonNull(input[0])) {
                    inputs.add(meshConfigMap(input[1], root.resolve(c.path(input[0]).asText())));
                }
            }
            List<String> expected = new ArrayList<>();
            c.path("expected").forEach(e -> expected.add(e.path("code").asText() + " "
                    + normalize(e.path("resource").asText())));
            out.add(Arguments.of(name, root, c.path("analyzer").asText(), inputs, clusters, expected));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void meetsIstiosExpectations(String name, Path root, String analyzer, List<Path> inputs,
                                 Map<String, List<Path>> clusters, List<String> expected) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null, name);
        List<SourceFile> files = new ArrayList<>();
        for (Path p : inputs) {
            files.add(new SourceFile(p.getFileName().toString(), Files.readAllBytes(p)));
        }
        StringBuilder config = new StringBuilder("apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\nclusters:\n");
        for (Map.Entry<String, List<Path>> c : clusters.entrySet()) {
            config.append("  ").append(c.getKey()).append(": clusters/").append(c.getKey()).append('\n');
            for (Path p : c.getValue()) {
                files.add(new SourceFile("clusters/" + c.getKey() + "/" + p.getFileName(), Files.readAllBytes(p)));
            }
        }
        if (!clusters.isEmpty()) {
            files.add(new SourceFile("meshcd.yaml", config.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Workspace workspace = Workspace.builder().options(CompileOptions.DEFAULT.withDefaultNamespace("default"))
                .configName("meshcd.yaml").build();
        Set<String> codes = CODES.get(analyzer);
        // Istio's harness compares its messages deduplicated (SortedDedupedCopy: the same code, resource and text is
        // one message) with the expectations as a multiset (ConsistOf)
        Map<String, String> found = new java.util.LinkedHashMap<>(); // code, resource and text → code and resource
        for (Diagnostic d : workspace.compile(new SourceTree(files), Compiler.Mode.CHECK).diagnostics()) {
            String resource = normalize(d.resource());
            if (codes.contains(d.code()) && ofThisAnalyzer(analyzer, d)) {
                found.put(d.code() + " " + resource + " " + d.message(), d.code() + " " + resource);
                if (analyzer.equals(GATEWAY_ANALYZER) && d.code().equals("IST0101")) {
                    // one mistake, one finding: meshcd's "gateway not found" stands for Istio's pair (IST0101 and the
                    // IST0132 it reports because a missing gateway serves no host)
                    found.put("IST0132 " + resource + " " + d.message(), "IST0132 " + resource);
                }
            } else if (analyzer.equals(DESTINATION_HOST_ANALYZER) && d.code().equals("IST0106")
                    && d.path().matches(".*\\.route\\[\\d+]\\.destination")) {
                // a route without destination: Istio's analyzer reports its empty host not found, meshcd's validation
                // the missing field (once per field)
                found.put("IST0101 " + resource + " " + d.path(), "IST0101 " + resource);
            }
        }
        assertThat(List.copyOf(found.values())).as(name).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static final String DESTINATION_HOST_ANALYZER = "&virtualservice.DestinationHostAnalyzer{}";
    private static final String GATEWAY_ANALYZER = "&virtualservice.GatewayAnalyzer{}";

    /**
     * IST0101 is every analyzer's "not found": the field path tells which of Istio's analyzers reports it (the
     * analyzers not listed report IST0101 for one kind of reference only).
     */
    private static final Map<String, String> NOT_FOUND_FIELDS = Map.of(
            DESTINATION_HOST_ANALYZER, ".*(destination|mirror)\\.(host|port\\.number)",
            "&virtualservice.DestinationRuleAnalyzer{}", ".*(destination|mirror)\\.subset",
            GATEWAY_ANALYZER, "spec\\.gateways\\[\\d+]");

    private static boolean ofThisAnalyzer(String analyzer, Diagnostic d) {
        String fields = NOT_FOUND_FIELDS.get(analyzer);
        return fields == null || !d.code().equals("IST0101") || d.path().matches(fields);
    }

    /** A file holding ConfigMap istio-system/istio with the file's text under {@code key}, as istiod reads it. */
    private static Path meshConfigMap(String key, Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.node.ObjectNode cm = new ObjectMapper().createObjectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", "istio").put("namespace", "istio-system");
        cm.putObject("data").put(key, Files.readString(file));
        Path out = Files.createTempFile("mesh-" + key, ".yaml");
        out.toFile().deleteOnExit();
        return Files.writeString(out, cm.toString());
    }

    /**
     * "Kind default/name" and "Kind name" (no namespace in the input) compare equal; Istio's MeshConfig and
     * MeshNetworks resources are the ConfigMap that carries them in meshcd.
     */
    private static String normalize(String resource) {
        if (resource.equals("MeshNetworks istio-system/meshnetworks") || resource.equals("MeshConfig istio-system/meshconfig")) {
            return "ConfigMap istio-system/istio";
        }
        int sp = resource.indexOf(' ');
        return sp > 0 && resource.startsWith("default/", sp + 1)
                ? resource.substring(0, sp + 1) + resource.substring(sp + 1 + "default/".length()) : resource;
    }
}
