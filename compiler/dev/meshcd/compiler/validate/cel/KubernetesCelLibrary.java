package dev.meshcd.compiler.validate.cel;

import static dev.cel.common.CelFunctionDecl.newFunctionDeclaration;
import static dev.cel.common.CelOverloadDecl.newGlobalOverload;
import static dev.cel.common.CelOverloadDecl.newMemberOverload;

import dev.cel.checker.CelCheckerBuilder;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompilerLibrary;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelRuntimeLibrary;

/**
 * The Kubernetes CEL functions that Istio's CRD rules use and dev.cel does not ship: the URL library
 * ({@code url}, {@code isURL}, {@code getScheme}, {@code getHost}, {@code getHostname},
 * {@code getPort}, {@code getEscapedPath}, {@code getQuery}) with the semantics of
 * k8s.io/apiserver/pkg/cel/library/urls.go (Go's {@code url.ParseRequestURI}), and {@code isIP} of the IP library
 * (the Gateway API's TLSRoute hostnames rule).
 *
 * <p>The other libraries of the Kubernetes CEL environment (ip/cidr, quantity, format, semver, authz,
 * lists, regex find) are not used by any rule in the Istio CRDs and are not registered; the strings
 * extension (used: {@code substring}) comes from dev.cel itself.
 */
public final class KubernetesCelLibrary implements CelCompilerLibrary, CelRuntimeLibrary {
    public static final KubernetesCelLibrary INSTANCE = new KubernetesCelLibrary();

    /** The CEL type of {@code url(...)} values. */
    public static final OpaqueType URL = OpaqueType.create("kubernetes.URL");

    private KubernetesCelLibrary() {
    }

    @Override
    public void setCheckerOptions(CelCheckerBuilder checker) {
        checker.addFunctionDeclarations(
                newFunctionDeclaration("url", newGlobalOverload("string_to_url", URL, SimpleType.STRING)),
                newFunctionDeclaration("isURL", newGlobalOverload("is_url_string", SimpleType.BOOL, SimpleType.STRING)),
                newFunctionDeclaration("isIP", newGlobalOverload("is_ip_string", SimpleType.BOOL, SimpleType.STRING)),
                newFunctionDeclaration("getScheme", newMemberOverload("url_get_scheme", SimpleType.STRING, URL)),
                newFunctionDeclaration("getHost", newMemberOverload("url_get_host", SimpleType.STRING, URL)),
                newFunctionDeclaration("getHostname",
                        newMemberOverload("url_get_hostname", SimpleType.STRING, URL)),
                newFunctionDeclaration("getPort", newMemberOverload("url_get_port", SimpleType.STRING, URL)),
                newFunctionDeclaration("getEscapedPath",
                        newMemberOverload("url_get_escaped_path", SimpleType.STRING, URL)),
                newFunctionDeclaration("getQuery", newMemberOverload("url_get_query",
                        MapType.create(SimpleType.STRING, ListType.create(SimpleType.STRING)), URL)));
    }

    @Override
    public void setRuntimeOptions(CelRuntimeBuilder runtime) {
        runtime.addFunctionBindings(
                CelFunctionBinding.from("string_to_url", String.class, KubernetesCelLibrary::url),
                CelFunctionBinding.from("is_url_string", String.class, GoUrl::isValid),
                // k8s.io/apiserver/pkg/cel/library/ip.go: netip.ParseAddr, and an address with a zone is no IP
                CelFunctionBinding.from("is_ip_string", String.class,
                        s -> s.indexOf('%') < 0 && dev.meshcd.compiler.validate.istio.Checks.isIpAddress(s)),
                CelFunctionBinding.from("url_get_scheme", GoUrl.class, GoUrl::scheme),
                CelFunctionBinding.from("url_get_host", GoUrl.class, GoUrl::hostWithPort),
                CelFunctionBinding.from("url_get_hostname", GoUrl.class, GoUrl::hostname),
                CelFunctionBinding.from("url_get_port", GoUrl.class, GoUrl::port),
                CelFunctionBinding.from("url_get_escaped_path", GoUrl.class, GoUrl::escapedPath),
                CelFunctionBinding.from("url_get_query", GoUrl.class, GoUrl::query));
    }

    private static GoUrl url(String s) throws CelEvaluationException {
        try {
            return GoUrl.parseRequestUri(s);
        } catch (IllegalArgumentException e) {
            throw new CelEvaluationException("URL parse error during conversion from string: parse \"" + s + "\": "
                    + e.getMessage());
        }
    }
}
