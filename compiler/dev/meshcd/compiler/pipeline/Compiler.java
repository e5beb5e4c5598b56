package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.analyze.OnePerMistake;
import dev.meshcd.compiler.analyze.UnresolvedReferences;
import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.lower.Lowering;
import dev.meshcd.compiler.lower.LoweringContext;
import dev.meshcd.compiler.lower.PolicyConflicts;
import dev.meshcd.compiler.lower.PolicyKinds;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.prepare.Placeholders;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The compiler pipeline: load → decode → validate → lower (per file, in parallel) → merge → index →
 * analyze → filter. Stateless: what one compile leaves for the next lives in an {@link IncrementalState}
 * that the caller owns (a {@link dev.meshcd.compiler.workspace.Workspace}, the one writer).
 *
 * <p>Lowering turns meshcd policies (group meshcd.dev) into Istio resources, which are validated like
 * hand-written ones and then join the snapshot (see {@link PolicyConflicts} for what happens when a
 * policy and a hand-written resource claim the same thing).
 *
 * <p>The state keeps the per-file results of the last run keyed by file name and content hash (and,
 * for lowering, the mesh-wide defaults the file was lowered under), so compiling a tree again re-reads
 * and re-lowers only the files that changed. {@link #recompile} goes further: it takes just the
 * changed and removed files and reuses the rest of the last tree, so unchanged files are not even
 * hashed again (the sync loop recompiles often). A Compiler is thread-safe (its stages must be too);
 * one state must have one writer at a time.
 */
public final class Compiler {
    /** How far to go: per-resource validation only, or validation plus cross-resource analysis. */
    public enum Mode { VALIDATE, CHECK }

    private final CompileOptions options;
    private final Decoder decoder;
    private final YamlLoader loader;
    private final List<ResourceValidator> validators;
    private final List<Analyzer> analyzers;
    private final List<DiagnosticFilter> filters;
    public Compiler(CompileOptions options, KindRegistry registry, List<ResourceValidator> validators,
                    List<Analyzer> analyzers, List<DiagnosticFilter> filters) {
        this.options = options;
        this.decoder = new Decoder(registry, options.defaultNamespace());
        this.loader = new YamlLoader(options.limits());
        this.validators = List.copyOf(validators);
        this.analyzers = List.copyOf(analyzers);
        this.filters = List.copyOf(filters);
    }

    public CompileOptions options() {
        return options;
    }

    public Decoder decoder() {
        return decoder;
    }

    public List<ResourceValidator> validators() {
        return validators;
    }

    public List<Analyzer> analyzers() {
        return analyzers;
    }

    /** Stages 1-3 for one file, cached in {@code s} by content hash. */
    FileUnit compileFile(IncrementalState s, SourceFile file) {
        FileUnit cached = s.cache.get(file.name());
        if (cached != null && cached.hash().equals(file.cacheKey())) {
            return cached;
        }
        Diagnostics sink = new Diagnostics();
        ParsedFile parsed = loader.load(file);
        for (Diagnostic d : parsed.diagnostics()) { // the loader's positions are in the text as loaded
            sink.report(file.sourceMap() == null ? d : new Diagnostic(d.severity(), d.code(), d.message(), d.subject(),
                    file.original(d.location()), d.path()));
        }
        List<Resource> resources = decoder.decode(parsed, sink, file.defaultNamespace());
        Set<ResourceKey> invalid = new HashSet<>();
        for (Resource r : resources) {
            Diagnostics own = new Diagnostics();
            validate(r, own);
            if (own.hasErrors()) {
                invalid.add(r.key());
            }
            sink.addAll(own.sorted());
        }
        Placeholders.report(parsed, resources, sink);
        FileUnit unit = new FileUnit(file.cacheKey(), parsed, resources, sink.sorted(), Set.copyOf(invalid));
        s.cache.put(file.name(), unit);
        return unit;
    }

    /** Runs every validator on one resource; a validator that fails is an internal error, never a crash. */
    public void validate(Resource r, Diagnostics sink) {
        for (ResourceValidator v : validators) {
            try {
                v.validate(r, sink);
            } catch (RuntimeException | StackOverflowError e) {
                sink.report(r.diagnostic(Severity.ERROR, Codes.INTERNAL, FieldPath.ROOT,
                        "internal error in " + v.getClass().getSimpleName() + ": " + e));
            }
        }
    }

    /** Compiles a whole tree from scratch: a one-shot compile with state of its own. */
    public CompileResult compile(SourceTree tree, Mode mode) {
        return compile(new IncrementalState(), tree, mode);
    }

    /**
     * Compiles a whole tree, reusing the per-file results in {@code s} of files whose content did not change,
     * and leaves the new tree and results in {@code s}: the base of the next {@link #recompile}.
     */
    public CompileResult compile(IncrementalState s, SourceTree tree, Mode mode) {
        s.current.clear();
        tree.files().forEach(f -> s.current.put(f.name(), f));
        return remember(s, run(s, tree.files(), mode), mode);
    }

    /**
     * Compiles the last tree given to {@link #compile} (or recompile) with some files replaced or added
     * ({@code changed}) and some removed (by name). Unchanged files are neither re-read, re-hashed nor
     * re-lowered; the result is the same as compiling the updated tree from scratch.
     */
    public CompileResult recompile(IncrementalState s, Collection<SourceFile> changed, Collection<String> removed,
                                   Mode mode) {
        IncrementalState.LastResult last = s.lastResult;
        if (last != null && last.mode() == mode && removed.isEmpty() && sameAsCurrent(s, changed)) {
            return last.result(); // nothing changed: the last answer stands
        }
        removed.forEach(s.current::remove);
        changed.forEach(f -> s.current.put(f.name(), f));
        List<SourceFile> files = List.copyOf(s.current.values());
        if (removed.isEmpty()) {
            CompileResult quick = patch(s, changed, files.size(), mode);
            if (quick != null) {
                return remember(s, quick, mode);
            }
        }
        return remember(s, run(s, files, mode), mode);
    }

    /** True when every file already is in the current tree with the same content. */
    private static boolean sameAsCurrent(IncrementalState s, Collection<SourceFile> changed) {
        for (SourceFile f : changed) {
            SourceFile now = s.current.get(f.name());
            if (now == null || !now.cacheKey().equals(f.cacheKey())) {
                return false;
            }
        }
        return true;
    }

    private static CompileResult remember(IncrementalState s, CompileResult result, Mode mode) {
        s.lastResult = new IncrementalState.LastResult(result, mode);
        return result;
    }

    /** Stages 1-3 and lowering per file, then merging; {@code files} sorted by name. */
    private CompileResult run(IncrementalState s, List<SourceFile> files, Mode mode) {
        // Drop cache entries for files that are gone, so the caches follow the tree.
        Set<String> names = new HashSet<>();
        files.forEach(f -> names.add(f.name()));
        s.cache.keySet().retainAll(names);
        s.lowerCache.keySet().retainAll(names);

        long t0 = System.nanoTime();
        List<FileUnit> units = files.parallelStream().map(f -> compileFile(s, f)).toList();
        long t1 = System.nanoTime();

        Diagnostics sink = new Diagnostics(); // per-file findings
        Diagnostics global = new Diagnostics(); // findings that depend on several files
        List<Resource> resources = new ArrayList<>();
        Map<ResourceKey, Resource> seen = new HashMap<>();
        int documents = 0;
        Resource meshDefaults = null;
        for (FileUnit unit : units) {
            sink.addAll(unit.diagnostics());
            documents += unit.parsed().documents().size();
            for (Resource r : unit.resources()) {
                Resource first = seen.putIfAbsent(r.key(), r);
                if (first != null) {
                    global.report(r.diagnostic(Severity.ERROR, Codes.DUPLICATE_RESOURCE, FieldPath.of("metadata", "name"),
                            r.key().display() + " is also defined at " + first.locate(FieldPath.ROOT)));
                    continue;
                }
                resources.add(r);
                if (r.is(PolicyKinds.MESH_DEFAULTS) && !unit.invalid().contains(r.key())) {
                    if (meshDefaults == null) {
                        meshDefaults = r;
                    } else {
                        global.report(r.diagnostic(Severity.ERROR, Codes.POLICY_DUPLICATE_DEFAULTS,
                                FieldPath.of("metadata", "name"), "a mesh has one MeshDefaults; "
                                        + meshDefaults.key().display() + " at " + meshDefaults.locate(FieldPath.ROOT)
                                        + " is the one compiled"));
                    }
                }
            }
        }

        // Lowering, per file (cached under the file's hash and the lowering context).
        LoweringContext ctx = new LoweringContext(options.domainSuffix(), options.rootNamespace(), options.commit(),
                meshDefaults);
        String fingerprint = ctx.fingerprint();
        long t2 = System.nanoTime();
        List<LoweredUnit> lowered = IntStream.range(0, files.size()).parallel()
                .mapToObj(i -> lowerFile(s, files.get(i), units.get(i), ctx, fingerprint)).toList();
        long t3 = System.nanoTime();
        List<PolicyConflicts.Lowered> policies = new ArrayList<>();
        for (LoweredUnit l : lowered) {
            sink.addAll(l.diagnostics());
            for (PolicyConflicts.Lowered p : l.policies()) {
                boolean extraDefaults = p.policy().is(PolicyKinds.MESH_DEFAULTS) && p.policy() != meshDefaults;
                if (!extraDefaults && seen.get(p.policy().key()) == p.policy()) {
                    policies.add(p);
                }
            }
        }
        resources.addAll(PolicyConflicts.resolve(resources, policies, options.domainSuffix(), global));
        List<Resource> sorted = sortByKey(s, resources);
        List<Diagnostic> perFile = sink.sorted();
        List<Diagnostic> crossFile = global.sorted();
        Map<String, FileState> states = new HashMap<>(files.size() * 2);
        for (int i = 0; i < files.size(); i++) {
            states.put(files.get(i).name(), new FileState(units.get(i), lowered.get(i)));
        }
        s.snapshot = new Snapshot(states, sorted, perFile, crossFile, fingerprint, meshDefaults, documents);
        Diagnostics all = new Diagnostics();
        all.addAll(perFile);
        all.addAll(crossFile);
        s.phase("files", t1 - t0);
        s.phase("lower", t3 - t2);
        s.phase("merge", (t2 - t1) + (System.nanoTime() - t3));
        return finish(s, sorted, all, mode, files.size(), documents, null);
    }

    /**
     * The fast path of {@link #recompile}: when the last run had no cross-file findings and the changed
     * files cannot meet any other file in the cross-file checks (duplicates, policy conflicts,
     * MeshDefaults), no other file's fate can change, so the last snapshot is patched in place instead of
     * re-merged. That holds when the changed files keep the identities and claims they had (same resource
     * keys, same generated resources and hosts: an edit of a route's weights, say), and for one changed
     * file whose new keys and hosts no other file has ({@link #claimsStayApart}). Returns null when the
     * full path is needed.
     */
    private CompileResult patch(IncrementalState s, Collection<SourceFile> changed, int fileCount, Mode mode) {
        Snapshot last = s.snapshot;
        if (last == null || !last.crossFile().isEmpty() || changed.isEmpty()) {
            return null;
        }
        long t0 = System.nanoTime();
        Map<ResourceKey, Resource> replacements = new HashMap<>();
        Set<ResourceKey> gone = new HashSet<>();
        List<Diagnostic> dropped = new ArrayList<>();
        List<Diagnostic> added = new ArrayList<>();
        Map<String, FileState> updated = new HashMap<>();
        int documents = last.documents();
        LoweringContext ctx = null;
        for (SourceFile file : changed) {
            FileState old = last.files().get(file.name());
            if (old == null || old.hasMeshDefaults()) {
                return null;
            }
            FileUnit unit = compileFile(s, file);
            if (ctx == null) {
                ctx = new LoweringContext(options.domainSuffix(), options.rootNamespace(), options.commit(),
                        last.meshDefaults());
                if (!ctx.fingerprint().equals(last.fingerprint())) {
                    return null;
                }
            }
            FileState now = new FileState(unit, lowerFile(s, file, unit, ctx, last.fingerprint()));
            if (now.hasMeshDefaults()) {
                return null;
            }
            boolean sameClaims = now.signature(options.domainSuffix()).equals(old.signature(options.domainSuffix()));
            if (!sameClaims && (changed.size() > 1 || !claimsStayApart(s, old, now))) {
                return null;
            }
            for (Resource r : old.contributions()) {
                gone.add(r.key());
            }
            for (Resource r : now.contributions()) {
                replacements.put(r.key(), r);
            }
            dropped.addAll(old.unit().diagnostics());
            dropped.addAll(old.lowered().diagnostics());
            added.addAll(unit.diagnostics());
            added.addAll(now.lowered().diagnostics());
            documents += unit.parsed().documents().size() - old.unit().parsed().documents().size();
            updated.put(file.name(), now);
        }
        long t1 = System.nanoTime();
        gone.removeAll(replacements.keySet());
        List<Resource> resources = new ArrayList<>(last.resources());
        for (ResourceKey k : gone) {
            int at = indexOf(resources, k);
            if (at < 0) {
                return null; // cannot happen: the snapshot holds every contribution; stay safe
            }
            resources.remove(at);
        }
        for (Resource r : replacements.values()) {
            int at = indexOf(resources, r.key());
            if (at >= 0) {
                resources.set(at, r);
            } else {
                resources.add(-at - 1, r);
            }
        }
        List<Diagnostic> perFile = last.perFile();
        if (!dropped.isEmpty() || !added.isEmpty()) {
            Set<Diagnostic> stale = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            stale.addAll(dropped);
            List<Diagnostic> next = new ArrayList<>(perFile.size() + added.size());
            for (Diagnostic d : perFile) {
                if (!stale.contains(d)) {
                    next.add(d);
                }
            }
            next.addAll(added);
            next.sort(Diagnostic.ORDER);
            perFile = List.copyOf(next);
        }
        Map<String, FileState> states = new HashMap<>(last.files());
        states.putAll(updated);
        s.snapshot = new Snapshot(states, resources, perFile, List.of(), last.fingerprint(), last.meshDefaults(), documents);
        Diagnostics all = new Diagnostics();
        all.addAll(perFile);
        s.phase("files", 0);
        s.phase("lower", t1 - t0);
        s.phase("merge", System.nanoTime() - t1);
        return finish(s, resources, all, mode, fileCount, documents, new Delta(replacements.values(), gone));
    }


    /** Binary search by key in resources sorted by key; as Collections.binarySearch, -(insertion point) - 1 if absent. */
    private static int indexOf(List<Resource> sorted, ResourceKey key) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = sorted.get(mid).key().compareTo(key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * Whether a file whose contributions changed identity (new or dropped resources, other hosts) still
     * cannot meet any other file in the cross-file checks: its resource keys are new to the snapshot, it
     * governs the same services, and no resource outside it configures a host its VirtualServices (bound
     * to the mesh) or DestinationRules configure. Then the merge would find nothing and the snapshot can
     * be patched. Conservative: any doubt means the full merge.
     */
    private boolean claimsStayApart(IncrementalState s, FileState old, FileState now) {
        Analysis analysis = s.lastAnalysis;
        if (analysis == null) {
            return false;
        }
        MeshIndex index = analysis.index();
        Set<ResourceKey> mine = new HashSet<>();
        old.contributions().forEach(r -> mine.add(r.key()));
        Set<ResourceKey> seen = new HashSet<>();
        for (Resource r : now.contributions()) {
            if (!seen.add(r.key()) || (!mine.contains(r.key()) && index.get(r.key()).isPresent())) {
                return false; // a duplicate within the file, or a key another file has
            }
        }
        if (!old.governedServices().equals(now.governedServices())) {
            return false;
        }
        for (Resource r : now.contributions()) {
            for (String host : PolicyConflicts.claimedHosts(r, options.domainSuffix())) {
                List<Resource> others = r.is(dev.meshcd.compiler.model.Kind.VIRTUAL_SERVICE)
                        ? index.virtualServicesForHost(host) : index.destinationRulesForHost(host);
                for (Resource other : others) {
                    if (!mine.contains(other.key())
                            && PolicyConflicts.claimedHosts(other, options.domainSuffix()).contains(host)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Sorts by key, starting from the order of the last run: after a small change the list is then
     * almost sorted and the (Tim)sort does about one comparison per resource instead of n log n.
     */
    private static List<Resource> sortByKey(IncrementalState s, List<Resource> resources) {
        List<ResourceKey> previous = s.lastOrder;
        List<Resource> out = resources;
        if (previous != null && !previous.isEmpty()) {
            Map<ResourceKey, Resource> byKey = new HashMap<>(resources.size() * 2);
            for (Resource r : resources) {
                byKey.put(r.key(), r);
            }
            out = new ArrayList<>(resources.size());
            for (ResourceKey k : previous) {
                Resource r = byKey.remove(k);
                if (r != null) {
                    out.add(r);
                }
            }
            out.addAll(byKey.values());
        }
        out.sort(Comparator.comparing(Resource::key));
        List<ResourceKey> order = new ArrayList<>(out.size());
        out.forEach(r -> order.add(r.key()));
        s.lastOrder = order;
        return out;
    }

    /** Lowers the valid policies of one file; the outputs are validated like hand-written resources. */
    private LoweredUnit lowerFile(IncrementalState s, SourceFile file, FileUnit unit, LoweringContext ctx,
                                  String fingerprint) {
        boolean any = false;
        for (Resource r : unit.resources()) {
            any |= PolicyKinds.isPolicy(r);
        }
        if (!any) {
            s.lowerCache.remove(file.name());
            return LoweredUnit.EMPTY;
        }
        LoweredUnit cached = s.lowerCache.get(file.name());
        // Same FileUnit instance (not just the same hash): outputs must belong to the very policy objects merged.
        if (cached != null && cached.source() == unit && cached.context().equals(fingerprint)) {
            return cached;
        }
        Diagnostics sink = new Diagnostics();
        List<PolicyConflicts.Lowered> out = new ArrayList<>();
        for (Resource r : unit.resources()) {
            if (!PolicyKinds.isPolicy(r) || unit.invalid().contains(r.key())) {
                continue; // nothing is lowered from a policy with errors
            }
            List<Resource> generated;
            try {
                generated = Lowering.lower(r, ctx, sink);
            } catch (RuntimeException e) {
                sink.report(r.diagnostic(Severity.ERROR, Codes.INTERNAL, FieldPath.ROOT, "internal error in lowering: " + e));
                continue;
            }
            for (Resource g : generated) {
                validate(g, sink);
            }
            out.add(new PolicyConflicts.Lowered(r, List.copyOf(generated)));
        }
        LoweredUnit unitOut = new LoweredUnit(unit, fingerprint, List.copyOf(out), sink.sorted());
        s.lowerCache.put(file.name(), unitOut);
        return unitOut;
    }

    /**
     * Stages 4-6 over resources that are already decoded and validated (by {@link #compile}, or by a
     * shell that holds a live snapshot).
     */
    public CompileResult analyze(List<Resource> resources, Diagnostics sink) {
        MeshIndex index = index(resources);
        Analysis analysis = Analysis.full(analyzers, index);
        sink.addAll(analysis.all());
        return new CompileResult(List.copyOf(resources), index, judged(sink.sorted(), index), 0, 0);
    }

    /** The index of a snapshot under this compiler's options (domain suffix, root namespace, external workloads). */
    public MeshIndex index(List<Resource> resources) {
        return MeshIndex.build(resources, options.externalWorkloads(), options.domainSuffix(), options.rootNamespace());
    }

    /**
     * The cross-resource findings about {@code subjects} only, in a snapshot whose index already holds them
     * (admission: {@code liveIndex.withChanges(List.of(incoming), List.of())}). Costs the subjects, not the
     * snapshot. Filters (suppressions) apply.
     */
    public List<Diagnostic> analyzeSubjects(MeshIndex index, Collection<Resource> subjects) {
        Diagnostics sink = new Diagnostics();
        for (Analyzer a : analyzers) {
            try {
                a.analyze(index, subjects, sink);
            } catch (RuntimeException | StackOverflowError e) {
                sink.report(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in analyzer "
                        + a.name() + ": " + e, null, null, ""));
            }
        }
        return judged(sink.sorted(), index);
    }

    /**
     * Findings over a live snapshot (the admission webhook's): the snapshot is the whole cluster, so every
     * namespace is visible; suppressions apply, one diagnostic per mistake.
     */
    private List<Diagnostic> judged(List<Diagnostic> diagnostics, MeshIndex index) {
        diagnostics = UnresolvedReferences.judge(diagnostics, index, true, options.unresolvedErrors());
        return OnePerMistake.apply(filter(diagnostics, index), index);
    }

    /** No diagnostic is about a context object: context is never validated, and its findings are not ours. */
    static List<Diagnostic> withoutContextSubjects(List<Diagnostic> diagnostics, MeshIndex index) {
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            Resource subject = d.subject() == null ? null : index.get(d.subject()).orElse(null);
            if (subject == null || !ContextOrigin.isContext(subject) || ContextOrigin.isReported(subject)) {
                out.add(d);
            }
        }
        return out;
    }

    private List<Diagnostic> filter(List<Diagnostic> diagnostics, MeshIndex index) {
        for (DiagnosticFilter f : filters) {
            diagnostics = f.apply(diagnostics, index);
        }
        return diagnostics;
    }

    /** Resources a patched snapshot replaced (same keys): lets stages 4-5 update the last index and findings. */
    private record Delta(Collection<Resource> upserts, Collection<ResourceKey> removals) {
        /**
         * What changed from an index to a new resource list. Files that did not change keep their very
         * Resource objects (per-file caches), so identity tells what is new; unchanged means same object.
         */
        static Delta between(MeshIndex before, List<Resource> now) {
            List<Resource> upserts = new ArrayList<>();
            int kept = 0;
            for (Resource r : now) {
                if (before.get(r.key()).orElse(null) == r) {
                    kept++;
                } else {
                    upserts.add(r);
                }
            }
            List<ResourceKey> removals = new ArrayList<>();
            if (kept + countReplaced(before, upserts) < before.size()) {
                Set<ResourceKey> keys = new HashSet<>(now.size() * 2);
                now.forEach(r -> keys.add(r.key()));
                for (Resource r : before.all()) {
                    if (!keys.contains(r.key())) {
                        removals.add(r.key());
                    }
                }
            }
            return new Delta(upserts, removals);
        }

        /**
         * This delta of the repository's resources as a delta of the snapshot with {@code context}: a repository
         * object removed lets the context object of its key show again.
         */
        Delta over(PreparedContext context) {
            if (context.isEmpty() || removals.isEmpty()) {
                return this;
            }
            List<Resource> up = new ArrayList<>(upserts);
            List<ResourceKey> down = new ArrayList<>();
            for (ResourceKey k : removals) {
                Resource shadowed = context.get(k);
                if (shadowed != null) {
                    up.add(shadowed);
                } else {
                    down.add(k);
                }
            }
            return new Delta(up, down);
        }

        private static int countReplaced(MeshIndex before, List<Resource> upserts) {
            int n = 0;
            for (Resource r : upserts) {
                if (before.get(r.key()).isPresent()) {
                    n++;
                }
            }
            return n;
        }
    }

    private CompileResult finish(IncrementalState s, List<Resource> resources, Diagnostics sink, Mode mode, int files,
                                 int documents, Delta delta) {
        long t0 = System.nanoTime();
        Analysis previous = s.lastAnalysis;
        PreparedContext context = s.context;
        List<Resource> indexed = context.merge(resources);
        if (delta != null && context != s.indexedContext) {
            delta = null; // the context changed too: compare whole snapshots
        } else if (delta != null) {
            delta = delta.over(context);
        }
        if (delta == null && previous != null) {
            delta = Delta.between(previous.index(), indexed);
        }
        boolean incremental = delta != null && previous != null
                && previous.index().changeCount() + delta.upserts().size() + delta.removals().size()
                        <= Math.max(256, indexed.size() / 8);
        MeshIndex index = incremental ? previous.index().withChanges(delta.upserts(), delta.removals()) : index(indexed);
        s.indexedContext = context;
        long t1 = System.nanoTime();
        Analysis analysis = null;
        if (mode == Mode.CHECK) {
            analysis = incremental && previous.findings() != null
                    ? Analysis.incremental(previous, analyzers, index, delta.upserts(), delta.removals())
                    : Analysis.full(analyzers, index);
            sink.addAll(analysis.all());
        }
        s.lastAnalysis = analysis != null ? analysis : new Analysis(index, null);
        long t2 = System.nanoTime();
        List<Diagnostic> diagnostics = sink.sorted();
        if (!context.isEmpty()) {
            diagnostics = withoutContextSubjects(diagnostics, index);
        }
        diagnostics = UnresolvedReferences.judge(diagnostics, index, context.context.complete(),
                options.unresolvedErrors());
        diagnostics = OnePerMistake.apply(filter(diagnostics, index), index);
        CompileResult result = new CompileResult(List.copyOf(resources), index, List.copyOf(diagnostics), files, documents);
        s.phase("index", t1 - t0);
        s.phase("analyze", t2 - t1);
        s.phase("incremental", incremental ? 1 : 0);
        s.phase("report", System.nanoTime() - t2);
        return result;
    }

    /** Per-file result of stages 1-3, cached by {@link SourceFile#cacheKey}; {@code invalid}: resources with validation errors. */
    record FileUnit(String hash, ParsedFile parsed, List<Resource> resources, List<Diagnostic> diagnostics,
                    Set<ResourceKey> invalid) {
    }

    /** The state of the last run: per file, its units; the merged, sorted resources; the diagnostics. */
    record Snapshot(Map<String, FileState> files, List<Resource> resources, List<Diagnostic> perFile,
                    List<Diagnostic> crossFile, String fingerprint, Resource meshDefaults, int documents) {
    }

    /** One file's part of a snapshot. */
    record FileState(FileUnit unit, LoweredUnit lowered) {
        boolean hasMeshDefaults() {
            for (Resource r : unit.resources()) {
                if (r.is(PolicyKinds.MESH_DEFAULTS)) {
                    return true;
                }
            }
            return false;
        }

        /** What the file puts into the snapshot (valid when the snapshot had no cross-file findings). */
        List<Resource> contributions() {
            List<Resource> out = new ArrayList<>(unit.resources());
            lowered.policies().forEach(p -> out.addAll(p.outputs()));
            return out;
        }

        /** "namespace/service" of each ServicePolicy in the file. */
        Set<String> governedServices() {
            Set<String> out = new HashSet<>();
            for (Resource r : unit.resources()) {
                if (r.is(PolicyKinds.SERVICE_POLICY)) {
                    out.add(r.namespace() + "/" + Lowering.serviceOf(r));
                }
            }
            return out;
        }

        /** Everything cross-file checks look at: keys, the services policies govern, generated keys and hosts. */
        List<Object> signature(String domainSuffix) {
            List<Object> sig = new ArrayList<>();
            for (Resource r : unit.resources()) {
                sig.add(r.key());
                if (r.is(PolicyKinds.SERVICE_POLICY)) {
                    sig.add("service=" + Lowering.serviceOf(r));
                }
            }
            for (PolicyConflicts.Lowered p : lowered.policies()) {
                sig.add(p.policy().key());
                for (Resource o : p.outputs()) {
                    sig.add(o.key());
                    sig.add(PolicyConflicts.claimedHosts(o, domainSuffix));
                }
            }
            return sig;
        }
    }

    /** Per-file result of lowering, cached by the FileUnit it lowered and the lowering context. */
    record LoweredUnit(FileUnit source, String context, List<PolicyConflicts.Lowered> policies,
                       List<Diagnostic> diagnostics) {
        static final LoweredUnit EMPTY = new LoweredUnit(null, "", List.of(), List.of());
    }
}
