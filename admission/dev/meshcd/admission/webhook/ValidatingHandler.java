package dev.meshcd.admission.webhook;

import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.report.AdmissionMessageRenderer;
import dev.meshcd.compiler.source.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /validate}: the Git ownership guard, then the compiler's per-resource validators and its
 * cross-resource analyzers over the live snapshot with the incoming object in place of its old version.
 * The snapshot's index is built once per snapshot version; a request derives from it only the entries the
 * object touches and asks the analyzers about that object alone, so its cost does not grow with the cluster.
 * Validation errors deny (each listed as {@code CODE path: message}); analyzer errors deny only where
 * {@link AnalysisPolicy} says; the rest go to {@code AdmissionResponse.warnings}.
 * A dry run is answered exactly like a real request.
 */
public final class ValidatingHandler implements AdmissionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ValidatingHandler.class);
    /** One daemon thread for background rebuilds, shared by all handlers (a rebuild is rare and single-flight). */
    private static final Executor REBUILDER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "meshcd-live-index");
        t.setDaemon(true);
        return t;
    });

    private final Compiler compiler;
    private final Snapshot snapshot;
    private final OwnershipGuard guard;
    private final AnalysisPolicy policy;

    public ValidatingHandler(Compiler compiler, Snapshot snapshot, OwnershipGuard guard) {
        this(compiler, snapshot, guard, AnalysisPolicy.STANDARD);
    }

    public ValidatingHandler(Compiler compiler, Snapshot snapshot, OwnershipGuard guard, AnalysisPolicy policy) {
        this.compiler = compiler;
        this.snapshot = snapshot;
        this.guard = guard;
        this.policy = policy;
    }

    /**
     * The live snapshot's index. A full build is the root; while the snapshot has changed by a few resources
     * since (a sync applying objects, a kubectl edit), the current index is derived from the root with those
     * changes, at their cost rather than the whole snapshot's. Past {@link #rebuildAfter} of them a new root is
     * built in the background while requests go on deriving from the old one; only when the snapshot no longer
     * remembers what changed since the root is it rebuilt on the request's thread.
     */
    private MeshIndex liveIndex() {
        long now = snapshot.version();
        Indexed current = live;
        if (current != null && current.version() == now) {
            return current.index();
        }
        Indexed base = root;
        Map<ResourceKey, Resource> changes = base == null ? null : snapshot.changesSince(base.version());
        if (changes == null) {
            base = buildRoot();
            changes = snapshot.changesSince(base.version());
            if (changes == null) {
                changes = Map.of(); // changed faster than it remembers: the list just read is at least as new
            }
        } else if (changes.size() > rebuildAfter(base.index().size()) && rebuilding.compareAndSet(false, true)) {
            REBUILDER.execute(() -> {
                try {
                    buildRoot();
                } catch (RuntimeException e) {
                    LOG.warn("rebuilding the live index failed (requests go on deriving from the last one): {}",
                            e.toString());
                } finally {
                    rebuilding.set(false);
                }
            });
        }
        MeshIndex index = base.index();
        if (!changes.isEmpty()) {
            List<Resource> upserts = new ArrayList<>();
            List<ResourceKey> removals = new ArrayList<>();
            changes.forEach((k, r) -> {
                if (r == null) {
                    removals.add(k);
                } else {
                    upserts.add(r);
                }
            });
            index = index.withChanges(upserts, removals);
        }
        live = new Indexed(now, index);
        return index;
    }

    private Indexed buildRoot() {
        long v = snapshot.version(); // read first: changes after it are applied again on top, harmlessly
        Indexed built = new Indexed(v, compiler.index(snapshot.resources()));
        root = built;
        rootBuilds.incrementAndGet();
        return built;
    }

    /**
     * Changes past which a new root pays: deriving costs about the changes, a build the whole snapshot, so
     * rebuilding after about sqrt(2 x size) changes keeps the sum per request smallest.
     */
    static int rebuildAfter(int size) {
        return Math.max(16, (int) Math.sqrt(2.0 * size));
    }

    private final AtomicBoolean rebuilding = new AtomicBoolean();

    private record Indexed(long version, MeshIndex index) {
    }

    private volatile Indexed root;
    private volatile Indexed live;
    private final AtomicInteger rootBuilds = new AtomicInteger();

    /** How often the live index was built in full (tests: small changes must not cost a build). */
    int rootBuilds() {
        return rootBuilds.get();
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest req) {
        AdmissionResponse denied = guard.check(req);
        if (denied != null) {
            return denied;
        }
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
            MeshIndex after = liveIndex().withChanges(List.of(resource), List.of());
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
