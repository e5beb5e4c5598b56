package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** TLS transport sockets: Istio mTLS (SDS secrets "default" and "ROOTCA"), DR SIMPLE/MUTUAL, gateway credentials. */
final class Tls {
    static final String SOCKET = "envoy.transport_sockets.tls";

    private Tls() {
    }

    private static SdsSecretConfig sds(String name) {
        return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Xds.ads()).build();
    }

    private static CommonTlsContext.Builder istioCommon(String trustDomain) {
        return CommonTlsContext.newBuilder()
                .addTlsCertificateSdsSecretConfigs(sds("default"))
                .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                                .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                                        .setSanType(SubjectAltNameMatcher.SanType.URI)
                                        .setMatcher(StringMatcher.newBuilder().setPrefix("spiffe://" + trustDomain + "/"))))
                        .setValidationContextSdsSecretConfig(sds("ROOTCA")));
    }

    static TransportSocket istioUpstream(String sni, String trustDomain, boolean h2) {
        CommonTlsContext.Builder common = istioCommon(trustDomain).addAlpnProtocols("istio-peer-exchange")
                .addAlpnProtocols("istio");
        if (h2) {
            common.addAlpnProtocols("h2");
        }
        UpstreamTlsContext ctx = UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(sni).build();
        return TransportSocket.newBuilder().setName(SOCKET).setTypedConfig(Xds.pack(ctx)).build();
    }

    static TransportSocket upstream(JsonNode tls, String host) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        String credential = tls.path("credentialName").asText("");
        if (!credential.isEmpty()) {
            common.addTlsCertificateSdsSecretConfigs(sds("kubernetes://" + credential));
            common.setValidationContextSdsSecretConfig(sds("kubernetes://" + credential + "-cacert"));
        } else {
            String ca = tls.path("caCertificates").asText("");
            CertificateValidationContext.Builder v = CertificateValidationContext.newBuilder();
            if (!ca.isEmpty()) {
                v.setTrustedCa(DataSource.newBuilder().setFilename(ca));
            } else {
                v.setTrustedCa(DataSource.newBuilder().setFilename("/etc/ssl/certs/ca-certificates.crt"));
            }
            for (JsonNode san : tls.path("subjectAltNames")) {
                v.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
                        .setMatcher(StringMatcher.newBuilder().setExact(san.asText())));
            }
            common.setValidationContext(v);
        }
        String sni = tls.path("sni").asText(host.startsWith("*") ? "" : host);
        UpstreamTlsContext.Builder ctx = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
        if (!sni.isEmpty()) {
            ctx.setSni(sni);
        }
        return TransportSocket.newBuilder().setName(SOCKET).setTypedConfig(Xds.pack(ctx.build())).build();
    }

    static TransportSocket istioDownstream(String trustDomain) {
        DownstreamTlsContext ctx = DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(istioCommon(trustDomain).addAlpnProtocols("h2").addAlpnProtocols("http/1.1"))
                .setRequireClientCertificate(BoolValue.of(true)).build();
        return TransportSocket.newBuilder().setName(SOCKET).setTypedConfig(Xds.pack(ctx)).build();
    }

    static TransportSocket gateway(JsonNode tls) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
        String credential = tls.path("credentialName").asText("");
        String mode = tls.path("mode").asText("SIMPLE");
        if (!credential.isEmpty()) {
            common.addTlsCertificateSdsSecretConfigs(sds("kubernetes://" + credential));
            if (mode.equals("MUTUAL")) {
                common.setValidationContextSdsSecretConfig(sds("kubernetes://" + credential + "-cacert"));
            }
        } else if (mode.equals("ISTIO_MUTUAL")) {
            common.addTlsCertificateSdsSecretConfigs(sds("default"));
            common.setValidationContextSdsSecretConfig(sds("ROOTCA"));
        } else {
            common.addTlsCertificates(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate.newBuilder()
                    .setCertificateChain(DataSource.newBuilder().setFilename(tls.path("serverCertificate").asText("/etc/istio/ingressgateway-certs/tls.crt")))
                    .setPrivateKey(DataSource.newBuilder().setFilename(tls.path("privateKey").asText("/etc/istio/ingressgateway-certs/tls.key"))));
        }
        DownstreamTlsContext ctx = DownstreamTlsContext.newBuilder().setCommonTlsContext(common)
                .setRequireClientCertificate(BoolValue.of(mode.equals("MUTUAL") || mode.equals("ISTIO_MUTUAL"))).build();
        return TransportSocket.newBuilder().setName(SOCKET).setTypedConfig(Xds.pack(ctx)).build();
    }
}
