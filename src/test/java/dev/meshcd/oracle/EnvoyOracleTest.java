package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Differential test: the Envoy configuration meshcd computes for every proxy against the xDS istiod itself builds
 * (xdsdump: Istio's fake discovery server at the pinned version), compared as {@link EnvoyModel}s on listener,
 * route configuration and cluster names, virtual hosts and domains, route matches in order, weighted clusters,
 * timeouts and retries, cluster TLS and subsets; and {@code meshcd simulate} against a route lookup over istiod's
 * route configurations ({@link RouteLookup}). Corpora: the examples, Istio's samples (../shared), and generated
 * meshes ({@link GeneratedEnvoyOracleTest}). Fields meshcd leaves out and known differences are in
 * src/test/resources/oracle/envoy-allowlist.txt, each with its reason. Figures go to stdout and
 * target/oracle/envoy-agreement.txt.
 */
@Tag("oracle")
class EnvoyOracleTest {
    static final Path INGRESS = Path.of("src/test/resources/oracle/ingress-gateway.yaml");

    record Corpus(String name, List<Path> inputs, String defaultNamespace) {
    }

    static List<Corpus> corpora() throws Exception {
        List<Corpus> out = new ArrayList<>();
        out.add(new Corpus("examples", List.of(Path.of("examples/shop"), Path.of("examples/istio-system"), INGRESS),
                "shop"));
        Path root = SharedData.istioRoot();
        if (root == null) {
            return out;
        }
        Path bookinfo = root.resolve("samples/bookinfo");
        Path net = bookinfo.resolve("networking");
        List<Path> base = List.of(bookinfo.resolve("platform/kube/bookinfo.yaml"), net.resolve("bookinfo-gateway.yaml"),
                net.resolve("destination-rule-all.yaml"), INGRESS);
        out.add(new Corpus("samples/bookinfo", base, "default"));
        try (Stream<Path> s = Files.list(net)) {
            for (Path vs : s.filter(p -> p.getFileName().toString().startsWith("virtual-service-")).sorted().toList()) {
                List<Path> in = new ArrayList<>(base);
                in.add(vs);
                out.add(new Corpus("samples/bookinfo+" + vs.getFileName(), in, "default"));
            }
        }
        Path httpbin = root.resolve("samples/httpbin");
        out.add(new Corpus("samples/httpbin", List.of(httpbin.resolve("httpbin.yaml"),
                httpbin.resolve("httpbin-gateway.yaml"), httpbin.resolve("sample-client/fortio-deploy.yaml"), INGRESS),
                "default"));
        return out;
    }

    @Test
    void meshcdEnvoyConfigurationAgreesWithIstiod() throws Exception {
        IstioOracle oracle = IstioOracle.get();
        EnvoyAllowlist rules = EnvoyAllowlist.read();
        StringBuilder report = new StringBuilder("meshcd's Envoy configuration vs istiod's (istio.io/istio "
                + oracle.version() + ")\n");
        List<String> unexplained = new ArrayList<>();
        Map<String, EnvoyDifferential.Figures> byCorpus = new LinkedHashMap<>();
        TreeSet<String> ran = new TreeSet<>();
        for (Corpus c : corpora()) {
            EffectiveMesh mesh = EnvoyDifferential.meshcd(c.inputs(), c.defaultNamespace());
            // Analysis errors (e.g. bookinfo's subsets without pods) do not stop the translation compared here.
            assertThat(mesh.proxies()).as("meshcd's proxies of %s", c.name()).isNotEmpty();
            Map<String, JsonNode> istio = EnvoyDifferential.istiod(oracle, c.inputs(), c.defaultNamespace());
            EnvoyDifferential.Result r = EnvoyDifferential.compare(c.name(), rules, istio, mesh);
            ran.add(c.name());
            report.append(c.name()).append(": ").append(r.figures()).append('\n');
            String group = c.name().startsWith("samples/") ? "samples" : c.name();
            byCorpus.computeIfAbsent(group, g -> new EnvoyDifferential.Figures()).add(r.figures());
            r.unexplained().forEach(u -> unexplained.add(u.toString()));
        }
        byCorpus.forEach((g, f) -> report.append("TOTAL ").append(g).append(": ").append(f).append('\n'));
        System.out.print(report);
        Files.createDirectories(Path.of("target", "oracle"));
        Files.writeString(Path.of("target", "oracle", "envoy-agreement.txt"), report);
        Files.write(Path.of("target", "oracle", "envoy-unexplained.txt"), unexplained);
        assertThat(unexplained).as("differences from istiod not in %s (fix meshcd, or add them with a reason)",
                EnvoyAllowlist.FILE).isEmpty();
        assertThat(rules.stale(ran, true)).as("allow-list entries that no longer match a difference (remove them)")
                .isEmpty();
    }
}
