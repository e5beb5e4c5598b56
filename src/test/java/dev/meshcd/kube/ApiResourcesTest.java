package dev.meshcd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Resource names and scope come from the cluster (discovery, then CRDs); only built-ins from a table. */
class ApiResourcesTest {
    static final String NET = Kind.NETWORKING;
    static final String SEC = Kind.SECURITY;

    /** An API server as {@link ApiResources} sees it, counting what it is asked. */
    static class FakeCluster implements ApiResources.Discovery {
        final Map<String, List<ApiResource>> discovery = new HashMap<>();
        final Map<String, String> preferred = new HashMap<>();
        final List<ApiResource> crds = new ArrayList<>();
        boolean reachable = true;
        final List<String> asked = new ArrayList<>();

        FakeCluster serves(String group, String version, String kind, String plural, boolean namespaced) {
            discovery.computeIfAbsent(group + "/" + version, k -> new ArrayList<>())
                    .add(new ApiResource(group, version, kind, plural, namespaced));
            preferred.putIfAbsent(group, version);
            return this;
        }

        FakeCluster crd(String group, String version, String kind, String plural) {
            crds.add(new ApiResource(group, version, kind, plural, true));
            return this;
        }

        private void answer(String what) {
            asked.add(what);
            if (!reachable) {
                throw new KubernetesClientException("Connection refused");
            }
        }

        @Override
        public List<ApiResource> resources(String group, String version) {
            answer("discovery " + group + "/" + version);
            return discovery.get(group + "/" + version);
        }

        @Override
        public String preferredVersion(String group) {
            answer("group " + group);
            return preferred.get(group);
        }

        @Override
        public List<ApiResource> crds() {
            answer("crds");
            return crds;
        }
    }

    /**
     * A cluster with Istio's networking and telemetry groups in discovery, security.istio.io's CRDs installed a
     * moment ago (not in discovery yet), and a custom kind whose plural English would get wrong.
     */
    static FakeCluster cluster() {
        return new FakeCluster()
                .serves("", "v1", "Service", "services", true)
                .serves("", "v1", "Namespace", "namespaces", false)
                .serves("", "v1", "Endpoints", "endpoints", true)
                .serves("apps", "v1", "Deployment", "deployments", true)
                .serves(NET, "v1", "VirtualService", "virtualservices", true)
                .serves(NET, "v1", "ServiceEntry", "serviceentries", true)
                .serves(NET, "v1alpha3", "EnvoyFilter", "envoyfilters", true)
                .serves(Kind.TELEMETRY, "v1", "Telemetry", "telemetries", true)
                .serves("zoo.example.com", "v1", "Mouse", "mice", false)
                .crd(SEC, "v1", "AuthorizationPolicy", "authorizationpolicies")
                .crd(SEC, "v1beta1", "AuthorizationPolicy", "authorizationpolicies");
    }

    static ApiResources resolver(FakeCluster c, AtomicLong nanos) {
        return new ApiResources(c, nanos::get);
    }

    /** group, versions asked (in order), kind → "plural@version" + " cluster-scoped" when not namespaced, or "-". */
    static Stream<Arguments> reachable() {
        return Stream.of(
                Arguments.of("", "v1", "Service", "services@v1"),
                Arguments.of("", "v1", "Namespace", "namespaces@v1 cluster-scoped"),
                Arguments.of("", "v1", "Endpoints", "endpoints@v1"),
                Arguments.of("apps", "v1", "Deployment", "deployments@v1"),
                Arguments.of(NET, "v1", "ServiceEntry", "serviceentries@v1"),
                Arguments.of(NET, "v1,v1beta1,v1alpha3", "EnvoyFilter", "envoyfilters@v1alpha3"),
                Arguments.of(NET, "v1", "EnvoyFilter", "-"),
                Arguments.of(Kind.TELEMETRY, "v1", "Telemetry", "telemetries@v1"),
                Arguments.of("zoo.example.com", "v1", "Mouse", "mice@v1 cluster-scoped"),
                // in the CRDs, not yet in discovery
                Arguments.of(SEC, "v1", "AuthorizationPolicy", "authorizationpolicies@v1"),
                Arguments.of(SEC, "v1alpha1,v1beta1", "AuthorizationPolicy", "authorizationpolicies@v1beta1"),
                Arguments.of(SEC, "v1alpha1", "AuthorizationPolicy", "-"),
                // never guessed
                Arguments.of(NET, "v1", "Sidecar", "-"),
                Arguments.of("zoo.example.com", "v1", "Horse", "-"),
                Arguments.of("apps", "v1", "StatefulSet", "-"),
                Arguments.of("batch", "v1beta1", "CronJob", "-"));
    }

    @ParameterizedTest(name = "{2}.{0} at {1} -> {3}")
    @MethodSource("reachable")
    void fromDiscoveryThenCrds(String group, String versions, String kind, String expected) {
        Optional<ApiResource> found = resolver(cluster(), new AtomicLong())
                .find(new Kind(group, kind), Arrays.asList(versions.split(",")));
        assertThat(found.map(ApiResourcesTest::describe).orElse("-")).isEqualTo(expected);
        found.ifPresent(r -> assertThat(r.group()).isEqualTo(group));
        found.ifPresent(r -> assertThat(r.kind()).isEqualTo(kind));
    }

    /** group, version, kind → the built-in table's answer, or "throws" for what only the cluster can say. */
    static Stream<Arguments> unreachable() {
        return Stream.of(
                Arguments.of("", "v1", "Namespace", "namespaces@v1 cluster-scoped"),
                Arguments.of("", "v1", "Service", "services@v1"),
                Arguments.of("", "v1", "Endpoints", "endpoints@v1"),
                Arguments.of("", "v1", "ConfigMap", "configmaps@v1"),
                Arguments.of("apps", "v1", "Deployment", "deployments@v1"),
                Arguments.of("batch", "v1beta1", "CronJob", "cronjobs@v1beta1"),
                Arguments.of("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets@v1"),
                Arguments.of("networking.k8s.io", "v1", "Ingress", "ingresses@v1"),
                Arguments.of("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies@v1"),
                Arguments.of("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles@v1 cluster-scoped"),
                Arguments.of("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                        "validatingwebhookconfigurations@v1 cluster-scoped"),
                Arguments.of(NET, "v1", "VirtualService", "throws"),
                Arguments.of(Kind.TELEMETRY, "v1", "Telemetry", "throws"),
                Arguments.of("zoo.example.com", "v1", "Mouse", "throws"),
                Arguments.of("apps", "v1", "Unicorn", "throws"));
    }

    @ParameterizedTest(name = "{2}.{0}/{1} -> {3}")
    @MethodSource("unreachable")
    void builtInsOnlyWhenNoClusterAnswers(String group, String version, String kind, String expected) {
        FakeCluster c = cluster();
        c.reachable = false;
        ApiResources api = resolver(c, new AtomicLong());
        if (expected.equals("throws")) {
            assertThatThrownBy(() -> api.find(group, version, kind)).isInstanceOf(KubernetesClientException.class);
        } else {
            assertThat(api.find(group, version, kind).map(ApiResourcesTest::describe)).contains(expected);
        }
    }

    @Test
    void foundKindsAreAskedOnceAndMissesAgainAfterThirtySeconds() {
        FakeCluster c = cluster();
        AtomicLong now = new AtomicLong();
        ApiResources api = resolver(c, now);
        for (int i = 0; i < 3; i++) {
            api.find(NET, "v1", "VirtualService");
            api.find(NET, "v1", "ServiceEntry");
        }
        assertThat(c.asked).containsExactly("discovery " + NET + "/v1");

        c.asked.clear();
        assertThat(api.find(NET, "v1", "Sidecar")).isEmpty();
        assertThat(c.asked).as("discovery's answer is fresh: only the CRDs are asked").containsExactly("crds");
        assertThat(api.find(NET, "v1", "Sidecar")).isEmpty();
        assertThat(c.asked).containsExactly("crds");
        c.serves(NET, "v1", "Sidecar", "sidecars", true); // its CRD is installed
        now.addAndGet(TimeUnit.SECONDS.toNanos(ApiResources.MISS_RECHECK_SECONDS) + 1);
        assertThat(api.find(NET, "v1", "Sidecar").map(ApiResource::plural)).contains("sidecars");
        assertThat(api.find(NET, "v1", "VirtualService")).isPresent();
        assertThat(c.asked).containsExactly("crds", "discovery " + NET + "/v1");

        c.asked.clear();
        api.reset();
        api.find(NET, "v1", "VirtualService");
        assertThat(c.asked).containsExactly("discovery " + NET + "/v1");
    }

    @Test
    void crdsAreListedOnlyForWhatDiscoveryDoesNotListAndThenKeptForFiveMinutes() {
        FakeCluster c = cluster();
        AtomicLong now = new AtomicLong();
        ApiResources api = resolver(c, now);
        api.find("", "v1", "Service");
        api.find("apps", "v1", "StatefulSet"); // a built-in group: no CRD can define it
        assertThat(c.asked).doesNotContain("crds");
        api.find(SEC, "v1", "AuthorizationPolicy");
        api.find(SEC, "v1", "PeerAuthentication");
        assertThat(c.asked).filteredOn("crds"::equals).hasSize(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(ApiResources.CRDS_RECHECK_SECONDS) + 1);
        api.find(SEC, "v1", "PeerAuthentication");
        assertThat(c.asked).filteredOn("crds"::equals).hasSize(2);
    }

    @Test
    void crdsThatCannotBeListedMeanNotServed() {
        FakeCluster c = new FakeCluster() {
            @Override
            public List<ApiResource> crds() {
                throw new KubernetesClientException("forbidden", 403, null);
            }
        };
        assertThat(resolver(c, new AtomicLong()).find(SEC, "v1", "AuthorizationPolicy")).isEmpty();
    }

    @Test
    void requireSaysWhatIsNotServed() {
        ApiResources api = resolver(cluster(), new AtomicLong());
        assertThat(api.require(NET, "v1", "VirtualService").plural()).isEqualTo("virtualservices");
        assertThatThrownBy(() -> api.require(NET, "v1", "EnvoyFilter")).isInstanceOfSatisfying(
                KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getStatus().getMessage())
                            .isEqualTo("EnvoyFilter.networking.istio.io is not served at networking.istio.io/v1 by the API server");
                });
    }

    @Test
    void preferredVersionsAreCachedAndMissingGroupsAskedAgainAfterThirtySeconds() {
        FakeCluster c = cluster();
        AtomicLong now = new AtomicLong();
        ApiResources api = resolver(c, now);
        assertThat(api.preferredVersion(NET)).contains("v1");
        assertThat(api.preferredVersion(NET)).contains("v1");
        assertThat(api.preferredVersion(Kind.EXTENSIONS)).isEmpty();
        assertThat(api.preferredVersion(Kind.EXTENSIONS)).isEmpty();
        assertThat(c.asked).containsExactly("group " + NET, "group " + Kind.EXTENSIONS);
        c.serves(Kind.EXTENSIONS, "v1alpha1", "WasmPlugin", "wasmplugins", true);
        now.addAndGet(TimeUnit.SECONDS.toNanos(ApiResources.MISS_RECHECK_SECONDS) + 1);
        assertThat(api.preferredVersion(Kind.EXTENSIONS)).contains("v1alpha1");
        assertThat(api.preferredVersion(NET)).contains("v1");
        assertThat(c.asked).containsExactly("group " + NET, "group " + Kind.EXTENSIONS, "group " + Kind.EXTENSIONS);

        c.reachable = false;
        api.reset();
        assertThatThrownBy(() -> api.preferredVersion(NET)).isInstanceOf(KubernetesClientException.class);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "null", value = {
            "networking.istio.io,shop,cart,/apis/networking.istio.io/v1/namespaces/shop/virtualservices/cart",
            "networking.istio.io,'',null,/apis/networking.istio.io/v1/virtualservices",
            "'',shop,null,/api/v1/namespaces/shop/virtualservices",
            "'','',web,/api/v1/virtualservices/web"})
    void paths(String group, String namespace, String name, String path) {
        assertThat(new ApiResource(group, "v1", "VirtualService", "virtualservices", true).path(namespace, name))
                .isEqualTo(path);
    }

    /**
     * The plurals Istio's CRDs declare, as meshcd's own copy of them ({@code schemas/istio/crd-all.gen.yaml}) has
     * them, for every Istio kind meshcd knows at every version it accepts.
     */
    @Test
    void everyIstioKindIsServedByTheBundledCrdsUnderItsOwnPlural() throws Exception {
        Map<String, String> expected = Map.ofEntries(Map.entry("VirtualService", "virtualservices"),
                Map.entry("DestinationRule", "destinationrules"), Map.entry("Gateway", "gateways"),
                Map.entry("ServiceEntry", "serviceentries"), Map.entry("Sidecar", "sidecars"),
                Map.entry("WorkloadEntry", "workloadentries"), Map.entry("WorkloadGroup", "workloadgroups"),
                Map.entry("EnvoyFilter", "envoyfilters"), Map.entry("ProxyConfig", "proxyconfigs"),
                Map.entry("AuthorizationPolicy", "authorizationpolicies"),
                Map.entry("PeerAuthentication", "peerauthentications"),
                Map.entry("RequestAuthentication", "requestauthentications"), Map.entry("Telemetry", "telemetries"),
                Map.entry("WasmPlugin", "wasmplugins"), Map.entry("TrafficExtension", "trafficextensions"));
        FakeCluster c = new FakeCluster();
        bundledCrds().forEach(c.crds::addAll);
        ApiResources api = resolver(c, new AtomicLong());
        int checked = 0;
        for (KindInfo info : KindRegistry.standard().all()) {
            if (info.role() != KindInfo.Role.ISTIO || info.kind().group().startsWith("gateway.networking.")) {
                continue; // Gateway API kinds: their own bundle (GatewayApiValidationTest checks the kinds against it)
            }
            for (String version : info.versions()) {
                ApiResource r = api.require(info.kind().group(), version, info.kind().kind());
                assertThat(r.plural()).as(info.kind() + "/" + version).isEqualTo(expected.get(info.kind().kind()));
                assertThat(r.namespaced()).isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(expected.size());
    }

    static List<List<ApiResource>> bundledCrds() throws Exception {
        List<List<ApiResource>> out = new ArrayList<>();
        try (InputStream in = ApiResourcesTest.class.getClassLoader().getResourceAsStream("schemas/istio/crd-all.gen.yaml");
             MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(in)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if ("CustomResourceDefinition".equals(doc.path("kind").asText())) {
                    out.add(ApiResources.servedBy(Serialization.jsonMapper().convertValue(doc,
                            CustomResourceDefinition.class)));
                }
            }
        }
        return out;
    }

    /** fabric8's client to a server that is not there: built-ins from the table, anything else an error. */
    @Test
    void anUnreachableApiServer() {
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000)
                .build()).build()) {
            ApiResources api = ApiResources.of(unreachable);
            assertThat(api.find("apps", "v1", "Deployment").map(ApiResource::plural)).contains("deployments");
            assertThatThrownBy(() -> api.find(NET, "v1", "VirtualService"))
                    .isInstanceOf(KubernetesClientException.class);
            assertThatThrownBy(() -> api.preferredVersion(NET)).isInstanceOf(KubernetesClientException.class);
        }
    }

    static String describe(ApiResource r) {
        return r.plural() + "@" + r.version() + (r.namespaced() ? "" : " cluster-scoped");
    }
}
