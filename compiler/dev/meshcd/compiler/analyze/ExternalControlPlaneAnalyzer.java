package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * The webhooks of a remote cluster reaching an external control plane (Istio's externalcontrolplane analyzer):
 * Istio's validating ({@code istiod-default-validator}, {@code istio-validator*}) and injecting ({@code
 * istio-sidecar-injector*}) webhook configurations need a {@code clientConfig} with a URL or a Service (IST0163
 * "is blank"; a URL that does not parse: IST0163 "was provided in an invalid format"); a URL whose host is an IP
 * address works but is not recommended (IST0164).
 */
public final class ExternalControlPlaneAnalyzer extends SubjectAnalyzer {
    public ExternalControlPlaneAnalyzer() {
        super(Kind.VALIDATING_WEBHOOK, Kind.MUTATING_WEBHOOK);
    }

    @Override
    public String name() {
        return "externalcontrolplane";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        String name = r.name();
        boolean istios = r.is(Kind.VALIDATING_WEBHOOK)
                ? name.equals("istiod-default-validator") || name.startsWith("istio-validator")
                : name.startsWith("istio-sidecar-injector");
        if (!istios) {
            return;
        }
        JsonNode hooks = r.object().path("webhooks");
        for (int i = 0; i < hooks.size(); i++) {
            JsonNode hook = hooks.path(i);
            String hookName = hook.path("name").asText("");
            JsonNode cc = hook.path("clientConfig");
            FieldPath at = FieldPath.of("webhooks", i, "clientConfig");
            JsonNode url = cc.get("url");
            if (url != null && !url.isNull()) {
                String host = host(url.asText());
                if (host == null) {
                    Messages.report(sink, r, "IST0163", at.key("url"), url.asText(), hookName,
                            "was provided in an invalid format");
                } else if (isIp(host)) {
                    Messages.report(sink, r, "IST0164", at.key("url"), url.asText(), hookName);
                }
            } else if (cc.get("service") == null || cc.get("service").isNull()) {
                Messages.report(sink, r, "IST0163", at, "", hookName, "is blank");
            }
        }
    }

    /** The URL's host as Go's url.Parse(u).Hostname() gives it ("" when none); null when it does not parse. */
    private static String host(String url) {
        try {
            URI u = new URI(url);
            String authority = u.getRawAuthority();
            if (authority == null) {
                return "";
            }
            String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
            if (hostPort.startsWith("[")) {
                int end = hostPort.indexOf(']');
                return end < 0 ? null : hostPort.substring(1, end);
            }
            int colon = hostPort.indexOf(':');
            return colon < 0 ? hostPort : hostPort.substring(0, colon);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Go's net.ParseIP: an IPv4 or IPv6 literal, never a name (nothing is resolved). */
    static boolean isIp(String host) {
        return !host.contains("%") && com.google.common.net.InetAddresses.isInetAddress(host);
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
