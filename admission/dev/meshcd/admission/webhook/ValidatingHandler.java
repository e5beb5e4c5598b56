package dev.meshcd.admission.webhook;

import dev.meshcd.admission.cluster.LiveIndex;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.report.AdmissionMessageRenderer;
import dev.meshcd.compiler.source.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /validate}: the Git ownership guard, then the compiler's per-resource validators and its
 * cross-resource analyzers over the live snapshot with the incoming object in place of its old version.
 * The snapshot's {@link LiveIndex} is kept current at the cost of what changed; a request derives from it only
 * the entries the object touches and asks the analyzers about that object alone, so its cost does not grow
 * with the cluster.
 * Validation errors deny (each listed as {@code CODE path: message}); analyzer errors deny only where
 * {@link AnalysisPolicy} says; the rest go to {@code AdmissionResponse.warnings}.
 * A dry run is answered exactly like a real request.
 */
public final class ValidatingHandler implements AdmissionHandler {
    private final Supplier<Compiler> compilers;
    private final Snapshot snapshot;
    private final OwnershipGuard guard;
    private final AnalysisPolicy policy;
    /** The live index under the compiler it was built for; a new compiler (a changed meshcd.yaml) starts a new one. */
    private volatile Live live;

    private record Live(Compiler compiler, LiveIndex index) {
    }

    public ValidatingHandler(Compiler compiler, Snapshot snapshot, OwnershipGuard guard) {
        this(() -> compiler, snapshot, guard, AnalysisPolicy.STANDARD);
    }

    public ValidatingHandler(Compiler compiler, Snapshot snapshot, OwnershipGuard guard, AnalysisPolicy policy) {
        this(() -> compiler, snapshot, guard, policy);
    }

    /**
     * @param compilers the compiler in force, asked per request: a workspace's, which follows the repository's
     *                  meshcd.yaml (outside workloads, suppressions) as the sync loop compiles it
     */
    public ValidatingHandler(Supplier<Compiler> compilers, Snapshot snapshot, OwnershipGuard guard,
                             AnalysisPolicy policy) {
        this.compilers = compilers;
        this.snapshot = snapshot;
        this.guard = guard;
        this.policy = policy;
    }

    private LiveIndex liveIndex(Compiler compiler) {
        Live l = live;
        if (l == null || l.compiler() != compiler) {
            l = new Live(compiler, new LiveIndex(snapshot, compiler::index));
            live = l;
        }
        return l.index();
    }

    /** How often the live index was built in full (tests: small changes must not cost a build). */
    int rootBuilds() {
        Live l = live;
        return l == null ? 0 : l.index().rootBuilds();
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest req) {
        AdmissionResponse denied = guard.check(req);
        if (denied != null) {
            return denied;
        }
        Compiler compiler = compilers.get();
        Kind kind = new Kind(req.group(), req.kind());
        KindInfo info = compiler.decoder().registry().lookup(kind).orElse(null);
        if (info == null || info.role() != KindInfo.Role.ISTIO) {
            return AdmissionResponse.allow("not-handled");
        }
        if ("DELETE".equals(req.operation()) || "CONNECT".equals(req.operation())) {
            return AdmissionResponse.allow("delete");
        }
        if (req.object() == null) {
            return AdmissionResponse.deny(400, "undecodable", "meshcd cannot check " + req.display()
                    + ": the request carries no object");
        }
        Decoder decoder = new Decoder(compiler.decoder().registry(), req.namespace().isEmpty() ? "default" : req.namespace());
        Diagnostics sink = new Diagnostics();
        List<Resource> decoded;
        try {
            decoded = decoder.decode(req.object(), Origin.NONE, sink);
        } catch (RuntimeException e) {
            return AdmissionResponse.deny(400, "undecodable", "meshcd cannot decode " + req.display() + ": " + e.getMessage());
        }
        if (decoded.size() != 1 || sink.hasErrors()) {
            List<Diagnostic> errors = sink.sorted();
            String msg = errors.isEmpty() ? "meshcd cannot decode " + req.display() + ": not a single " + req.kind()
                    : AdmissionMessageRenderer.denial(req.display(), errors);
            return AdmissionResponse.deny(400, "undecodable", msg);
        }
        Resource resource = decoded.get(0);
        compiler.validate(resource, sink);
        List<Diagnostic> own = new ArrayList<>(sink.sorted());
        boolean validationErrors = own.stream().anyMatch(Diagnostic::isError);
        if (!validationErrors) {
            // Cross-resource findings about this object, in the snapshot as it would be after this request.
            MeshIndex after = liveIndex(compiler).current().withChanges(List.of(resource), List.of());
            for (Diagnostic d : compiler.analyzeSubjects(after, List.of(resource))) {
                own.add(policy.apply(d));
            }
        }
        List<String> warnings = AdmissionMessageRenderer.warnings(own);
        if (own.stream().anyMatch(d -> d.severity() == Severity.ERROR)) {
            return AdmissionResponse.deny(403, validationErrors ? "invalid" : "analysis",
                    AdmissionMessageRenderer.denial(resource.key().display(), own)).withWarnings(warnings);
        }
        return AdmissionResponse.allow("valid", warnings);
    }
}
