package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The same certificate on several Gateways of the same workloads (Istio's gateway/certificate.go, IST0138): a
 * client reusing an HTTP/2 connection for another host gets 404s. Gateways share workloads when every label of
 * this Gateway's selector is in the other's (an empty selector: every Gateway); TLS settings share a certificate
 * when both name the same {@code credentialName}, or neither names one and both give the same {@code
 * serverCertificate} and {@code privateKey}. Reported once per pair, on each Gateway.
 */
public final class GatewayCertificateAnalyzer extends SubjectAnalyzer {
    public GatewayCertificateAnalyzer() {
        super(Kind.GATEWAY);
    }

    @Override
    public String name() {
        return "gateway.certificate";
    }

    @Override
    protected void check(MeshIndex index, Resource gw, DiagnosticSink sink) {
        Set<String> mine = certificates(gw);
        if (mine.isEmpty()) {
            return;
        }
        Map<String, String> selector = MeshIndex.stringMap(gw.spec().path("selector"));
        Set<ResourceKey> reported = new java.util.HashSet<>();
        for (Resource other : index.ofKind(Kind.GATEWAY)) {
            if (other.key().equals(gw.key()) || !subset(selector, MeshIndex.stringMap(other.spec().path("selector")))) {
                continue;
            }
            for (String c : certificates(other)) {
                if (mine.contains(c) && reported.add(other.key())) {
                    Messages.report(sink, gw, "IST0138", FieldPath.of("metadata", "name"),
                            List.of(gw.namespace() + "/" + gw.name(), other.namespace() + "/" + other.name()));
                }
            }
        }
    }

    /** The certificates a Gateway's TLS servers name, each as a comparable key. */
    private static Set<String> certificates(Resource gw) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode s : gw.spec().path("servers")) {
            JsonNode tls = s.path("tls");
            if (!tls.isObject()) {
                continue;
            }
            String cn = tls.path("credentialName").asText("");
            String cert = tls.path("serverCertificate").asText("");
            String key = tls.path("privateKey").asText("");
            if (!cn.isEmpty()) {
                out.add("credential\u0000" + cn);
            } else if (!cert.isEmpty() && !key.isEmpty()) {
                out.add("files\u0000" + cert + "\u0000" + key);
            }
        }
        return out;
    }

    /** Istio's selectorSubset: every label of {@code x} is in {@code y} with the same value. */
    private static boolean subset(Map<String, String> x, Map<String, String> y) {
        for (Map.Entry<String, String> e : x.entrySet()) {
            if (!e.getValue().equals(y.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.GATEWAY);
    }

    /** Of a Gateway, what another Gateway's finding reads: its selector and TLS certificates. */
    @Override
    public Object observed(Resource r) {
        return r.is(Kind.GATEWAY) ? List.of(MeshIndex.stringMap(r.spec().path("selector")), certificates(r)) : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Set<String> certs = new java.util.HashSet<>();
        if (before != null) {
            certs.addAll(certificates(before));
        }
        if (after != null) {
            certs.addAll(certificates(after));
        }
        List<ResourceKey> out = new ArrayList<>();
        for (Resource g : afterIndex.ofKind(Kind.GATEWAY)) {
            for (String c : certificates(g)) {
                if (certs.contains(c)) {
                    out.add(g.key());
                    break;
                }
            }
        }
        return out;
    }
}
