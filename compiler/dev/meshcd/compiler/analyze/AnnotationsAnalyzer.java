package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Istio annotations on Namespaces, Services, Pods and Deployments, as istio's annotations.K8sAnalyzer checks
 * them against Istio's catalogue ({@link IstioAnnotations}): one Istio does not know (IST0108 UnknownAnnotation), a
 * deprecated one (IST0135 DeprecatedAnnotation; not the {@code sidecar.istio.io/inject} annotation beside the label
 * of that name), one on a kind it does not attach to (IST0107 MisplacedAnnotation: a Deployment's own metadata is
 * never the place for a Pod annotation) and a value the sidecar injector rejects (IST0125 InvalidAnnotation).
 * Annotations the control plane sets itself are skipped.
 */
public final class AnnotationsAnalyzer extends SubjectAnalyzer {
    /** Set by istiod, its gateway controller or revision tooling, never by users (maturity.AlwaysIgnoredAnnotations). */
    static final Set<String> ALWAYS_IGNORED = Set.of("sidecar.istio.io/status", "gateway.istio.io/controller-version",
            "istio.io/rev");

    private static final String SIDECAR_INJECT = "sidecar.istio.io/inject";

    public AnnotationsAnalyzer() {
        super(Kind.NAMESPACE, Kind.SERVICE, Kind.POD, Kind.DEPLOYMENT);
    }

    @Override
    public String name() {
        return "annotations.k8s";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        String kind = r.kind().kind();
        for (Map.Entry<String, String> e : new TreeMap<>(r.annotations()).entrySet()) {
            String name = e.getKey();
            if (!IstioAnnotations.isIstios(name) || ALWAYS_IGNORED.contains(name)) {
                continue;
            }
            FieldPath at = FieldPath.of("metadata", "annotations", name);
            Optional<IstioAnnotations.Annotation> known = IstioAnnotations.lookup(name);
            if (known.isEmpty()) {
                Messages.report(sink, r, "IST0108", at, name);
                continue;
            }
            IstioAnnotations.Annotation a = known.get();
            if (a.deprecated() && !(name.equals(SIDECAR_INJECT) && r.labels().containsKey(SIDECAR_INJECT))) {
                Messages.report(sink, r, "IST0135", at, name,
                        name.equals(SIDECAR_INJECT) ? " in favor of the \"sidecar.istio.io/inject\" label" : "");
            }
            if (a.attachesToAny()) {
                continue;
            }
            if (!a.resources().contains(kind)) {
                Messages.report(sink, r, "IST0107", at, name, String.join(", ", a.resources()));
                continue;
            }
            IstioAnnotationValues.error(name, e.getValue())
                    .ifPresent(error -> Messages.report(sink, r, "IST0125", at, name, error));
        }
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
