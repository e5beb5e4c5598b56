package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Cross-resource checks of ServicePolicies, at the policy's own lines: callers named by service
 * account that no workload runs as (warning: a typo there silently denies the real caller), and
 * policies for services the snapshot does not have.
 */
public final class PolicyAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "meshcd.ServicePolicy";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(PolicyKinds.SERVICE_POLICY);
    }

    @Override
    public Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SERVICE, Kind.SERVICE_ENTRY);
    }

    /** Other policies' findings read which Services and ServiceEntry hosts exist, and which service account a workload runs as. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.SERVICE)) {
            return r.key();
        }
        if (r.is(Kind.SERVICE_ENTRY)) {
            return r.spec().path("hosts");
        }
        if (!reads().contains(r.kind())) {
            return null;
        }
        Workload w = MeshIndex.workload(r);
        return w.namespace() + "/" + w.serviceAccount();
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        var policies = index.ofKind(PolicyKinds.SERVICE_POLICY);
        if (policies.isEmpty()) {
            return;
        }
        Set<String> accounts = new HashSet<>();
        for (Workload w : index.workloads()) {
            accounts.add(w.namespace() + "/" + w.serviceAccount());
        }
        boolean anyService = !index.ofKind(Kind.SERVICE).isEmpty();
        for (Resource p : policies) {
            check(index, p, accounts::contains, anyService, sink);
        }
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        boolean anyService = !index.ofKind(Kind.SERVICE).isEmpty();
        Predicate<String> runsAs = qualified -> {
            int slash = qualified.indexOf('/');
            String ns = qualified.substring(0, slash);
            String sa = qualified.substring(slash + 1);
            return index.workloadsIn(ns).stream().anyMatch(w -> w.serviceAccount().equals(sa));
        };
        for (Resource p : subjects) {
            if (p.is(PolicyKinds.SERVICE_POLICY)) {
                check(index, p, runsAs, anyService, sink);
            }
        }
    }

    private static void check(MeshIndex index, Resource p, Predicate<String> accountInUse, boolean anyService,
                              DiagnosticSink sink) {
        String service = Lowering.serviceOf(p);
        if (anyService && index.servicesForHost(index.resolveHost(service, p.namespace())).isEmpty()) {
            sink.report(p.diagnostic(Severity.WARNING, Codes.POLICY_UNKNOWN_SERVICE,
                    p.spec().has("service") ? FieldPath.of("spec", "service") : FieldPath.of("metadata", "name"),
                    "no Service " + p.namespace() + "/" + service + " in the snapshot"));
        }
        JsonNode allow = p.spec().path("access").path("allow");
        for (int i = 0; i < allow.size(); i++) {
            JsonNode sas = allow.get(i).path("from").path("serviceAccounts");
            for (int j = 0; j < sas.size(); j++) {
                String sa = sas.get(j).asText();
                String qualified = sa.contains("/") ? sa : p.namespace() + "/" + sa;
                if (!accountInUse.test(qualified)) {
                    sink.report(p.diagnostic(Severity.WARNING, Codes.POLICY_UNKNOWN_CALLER,
                            FieldPath.of("spec", "access", "allow").index(i).key("from").key("serviceAccounts").index(j),
                            "no workload runs as service account " + qualified
                                    + "; this rule admits nobody (a typo, or a workload outside the repo?)"));
                }
            }
        }
    }
}
