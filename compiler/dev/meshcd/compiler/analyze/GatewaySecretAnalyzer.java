package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Gateway's {@code tls.credentialName} (Istio's gateway/secret.go): the Secret must exist in the namespace of the
 * gateway's workload (IST0101 "credentialName"; {@code ns/name} names another namespace) and hold a certificate
 * istiod would serve (IST0161): {@code cert}/{@code key} or {@code tls.crt}/{@code tls.key}, the certificate PEM
 * encoded and valid now. Secrets are rarely kept in Git, so nothing is reported unless the snapshot holds Secrets
 * at all (a live cluster's, whose names meshcd reads, or the repository's and its context's); a Secret known by name
 * only (no {@code data} or {@code stringData}: a cluster's) is not judged for IST0161. A selector matching no
 * workload is {@link GatewayAnalyzer}'s finding.
 */
public final class GatewaySecretAnalyzer extends SubjectAnalyzer {
    public GatewaySecretAnalyzer() {
        super(Kind.GATEWAY);
    }

    @Override
    public String name() {
        return "gateway.secret";
    }

    @Override
    protected void check(MeshIndex index, Resource gw, DiagnosticSink sink) {
        JsonNode servers = gw.spec().path("servers");
        if (index.ofKind(Kind.SECRET).isEmpty() || !servers.isArray()) {
            return;
        }
        List<Workload> pods = index.workloadsMatchingAnywhere(MeshIndex.stringMap(gw.spec().path("selector")));
        if (pods.isEmpty()) {
            return;
        }
        String gwNamespace = pods.get(0).namespace();
        for (int i = 0; i < servers.size(); i++) {
            String cn = servers.path(i).path("tls").path("credentialName").asText("");
            if (cn.isEmpty()) {
                continue;
            }
            int slash = cn.indexOf('/');
            ResourceKey key = slash < 0 ? new ResourceKey("", "Secret", gwNamespace, cn)
                    : new ResourceKey("", "Secret", cn.substring(0, slash), cn.substring(slash + 1));
            FieldPath at = FieldPath.of("spec", "servers", i, "tls", "credentialName");
            Resource secret = index.get(key).orElse(null);
            if (secret == null) {
                Messages.report(sink, gw, "IST0101", at, "credentialName", cn);
            } else if (judged(secret) && !validCredential(secret)) {
                Messages.report(sink, gw, "IST0161", at, gw.name(), gwNamespace);
            }
        }
    }

    /** Whether meshcd has the Secret's content, not just its name. */
    private static boolean judged(Resource secret) {
        return secret.object().has("data") || secret.object().has("stringData");
    }

    /** istiod's ExtractCertInfo and ValidateCertificate: a key pair under known keys, the certificate valid now. */
    static boolean validCredential(Resource secret) {
        byte[] cert = value(secret, "cert");
        byte[] key = value(secret, "key");
        if (cert.length == 0 || key.length == 0) {
            cert = value(secret, "tls.crt");
            key = value(secret, "tls.key");
        }
        if (cert.length == 0 || key.length == 0) {
            return false;
        }
        String pem = new String(cert, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN ");
        if (begin < 0) {
            return false;
        }
        try {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(cert, begin, cert.length - begin));
            if (certs.isEmpty()) {
                return false;
            }
            for (java.security.cert.Certificate c : certs) {
                ((X509Certificate) c).checkValidity();
            }
            return true;
        } catch (CertificateException | RuntimeException e) {
            return false;
        }
    }

    /** A Secret value: {@code data} (base64) or {@code stringData}, as the API server merges them; empty if none. */
    private static byte[] value(Resource secret, String key) {
        JsonNode plain = secret.object().path("stringData").path(key);
        if (plain.isTextual()) {
            return plain.asText().getBytes(StandardCharsets.UTF_8);
        }
        JsonNode encoded = secret.object().path("data").path(key);
        if (!encoded.isTextual()) {
            return new byte[0];
        }
        try {
            return Base64.getMimeDecoder().decode(encoded.asText());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    @Override
    public Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SECRET);
    }

    /** Of workloads, their labels and namespace (where the gateway's Secrets live); of Secrets, their content. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.SECRET)) {
            return List.of(r.object().path("data"), r.object().path("stringData"));
        }
        return reads().contains(r.kind()) ? r.object() : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return null;
    }

    static Map<String, String> selector(Resource gw) {
        return MeshIndex.stringMap(gw.spec().path("selector"));
    }
}
