package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * AuthorizationPolicy → Envoy RBAC HTTP filters on the inbound listener: a DENY filter before an
 * ALLOW filter, policies named {@code ns[<ns>]-policy[<name>]-rule[<i>]} as istiod names them.
 * CUSTOM and AUDIT actions and {@code when} conditions are not translated.
 */
final class Authz {
    static final String FILTER = "envoy.filters.http.rbac";

    private Authz() {
    }

    static List<Resource> applicable(MeshIndex index, Workload w) {
        List<Resource> out = new ArrayList<>();
        for (Resource r : index.ofKind(Kind.AUTHORIZATION_POLICY)) {
            boolean nsOk = r.namespace().equals(w.namespace()) || r.namespace().equals(index.rootNamespace());
            if (nsOk && w.matches(Scope.selector(r))) {
                out.add(r);
            }
        }
        out.sort(java.util.Comparator.comparing(Resource::key));
        return out;
    }

    /** The RBAC filters for a workload, DENY first; empty when no policy applies. */
    static List<HttpFilter> filters(List<Resource> policies, String trustDomain) {
        List<HttpFilter> out = new ArrayList<>();
        for (String action : new String[]{"DENY", "ALLOW"}) {
            RBAC.Builder rbac = RBAC.newBuilder().setAction(action.equals("DENY") ? RBAC.Action.DENY : RBAC.Action.ALLOW);
            boolean any = false;
            for (Resource p : policies) {
                String a = p.spec().path("action").asText("ALLOW");
                if (!a.equals(action)) {
                    continue;
                }
                any = true;
                JsonNode rules = p.spec().path("rules");
                for (int i = 0; i < rules.size(); i++) {
                    rbac.putPolicies("ns[" + p.namespace() + "]-policy[" + p.name() + "]-rule[" + i + "]",
                            policy(rules.get(i), trustDomain));
                }
            }
            if (any) {
                out.add(HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Xds.pack(
                        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rbac).build()))
                        .build());
            }
        }
        return out;
    }

    private static Policy policy(JsonNode rule, String trustDomain) {
        Policy.Builder p = Policy.newBuilder();
        JsonNode to = rule.path("to");
        if (to.isArray() && !to.isEmpty()) {
            Permission.Set.Builder or = Permission.Set.newBuilder();
            for (JsonNode t : to) {
                or.addRules(operation(t.path("operation")));
            }
            p.addPermissions(Permission.newBuilder().setOrRules(or));
        } else {
            p.addPermissions(Permission.newBuilder().setAny(true));
        }
        JsonNode from = rule.path("from");
        if (from.isArray() && !from.isEmpty()) {
            Principal.Set.Builder or = Principal.Set.newBuilder();
            for (JsonNode f : from) {
                or.addIds(source(f.path("source"), trustDomain));
            }
            p.addPrincipals(Principal.newBuilder().setOrIds(or));
        } else {
            p.addPrincipals(Principal.newBuilder().setAny(true));
        }
        return p.build();
    }

    private static Permission operation(JsonNode op) {
        Permission.Set.Builder and = Permission.Set.newBuilder();
        addPerm(and, op.path("methods"), false, m -> Permission.newBuilder().setHeader(exactHeader(":method", m)).build());
        addPerm(and, op.path("notMethods"), true, m -> Permission.newBuilder().setHeader(exactHeader(":method", m)).build());
        addPerm(and, op.path("paths"), false, Authz::pathPermission);
        addPerm(and, op.path("notPaths"), true, Authz::pathPermission);
        addPerm(and, op.path("ports"), false, p -> Permission.newBuilder().setDestinationPort(port(p)).build());
        addPerm(and, op.path("notPorts"), true, p -> Permission.newBuilder().setDestinationPort(port(p)).build());
        addPerm(and, op.path("hosts"), false, h -> Permission.newBuilder().setHeader(HeaderMatcher.newBuilder()
                .setName(":authority").setStringMatch(wildcard(h).toBuilder().setIgnoreCase(true))).build());
        if (and.getRulesCount() == 0) {
            return Permission.newBuilder().setAny(true).build();
        }
        return Permission.newBuilder().setAndRules(and).build();
    }

    /** A port of an operation; validation rejects non-numeric ones, translation maps them to 0 (no match). */
    private static int port(String p) {
        try {
            return Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void addPerm(Permission.Set.Builder and, JsonNode values, boolean negate,
                                Function<String, Permission> f) {
        if (!values.isArray() || values.isEmpty()) {
            return;
        }
        Permission.Set.Builder or = Permission.Set.newBuilder();
        for (JsonNode v : values) {
            or.addRules(f.apply(v.asText()));
        }
        Permission p = Permission.newBuilder().setOrRules(or).build();
        and.addRules(negate ? Permission.newBuilder().setNotRule(p).build() : p);
    }

    private static Permission pathPermission(String path) {
        return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(wildcard(path))).build();
    }

    private static Principal source(JsonNode src, String trustDomain) {
        Principal.Set.Builder and = Principal.Set.newBuilder();
        addIds(and, src.path("principals"), false, v -> authenticated(v.equals("*")
                ? StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".+")).build()
                : wildcard("spiffe://" + v)));
        addIds(and, src.path("notPrincipals"), true, v -> authenticated(wildcard("spiffe://" + v)));
        addIds(and, src.path("namespaces"), false, ns -> authenticated(StringMatcher.newBuilder()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*/ns/" + ns + "/.*")).build()));
        addIds(and, src.path("notNamespaces"), true, ns -> authenticated(StringMatcher.newBuilder()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*/ns/" + ns + "/.*")).build()));
        if (and.getIdsCount() == 0) {
            return Principal.newBuilder().setAny(true).build();
        }
        return Principal.newBuilder().setAndIds(and).build();
    }

    private static void addIds(Principal.Set.Builder and, JsonNode values, boolean negate,
                               Function<String, Principal> f) {
        if (!values.isArray() || values.isEmpty()) {
            return;
        }
        Principal.Set.Builder or = Principal.Set.newBuilder();
        for (JsonNode v : values) {
            or.addIds(f.apply(v.asText()));
        }
        Principal p = Principal.newBuilder().setOrIds(or).build();
        and.addIds(negate ? Principal.newBuilder().setNotId(p).build() : p);
    }

    private static Principal authenticated(StringMatcher m) {
        return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m)).build();
    }

    private static HeaderMatcher exactHeader(String name, String value) {
        return HeaderMatcher.newBuilder().setName(name).setStringMatch(StringMatcher.newBuilder().setExact(value)).build();
    }

    /** Istio's value matching: "*" any, "abc*" prefix, "*abc" suffix, else exact. */
    static StringMatcher wildcard(String v) {
        if (v.equals("*")) {
            return StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".+")).build();
        }
        if (v.endsWith("*")) {
            return StringMatcher.newBuilder().setPrefix(v.substring(0, v.length() - 1)).build();
        }
        if (v.startsWith("*")) {
            return StringMatcher.newBuilder().setSuffix(v.substring(1)).build();
        }
        return StringMatcher.newBuilder().setExact(v).build();
    }
}
