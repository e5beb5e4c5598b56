package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.analyze.DiagnosticFilter;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * The compiler pipeline: load → decode → validate → lower (per file, in parallel) → merge → index →
 * analyze → filter.
 *
 * <p>Lowering turns meshcd policies (group meshcd.dev) into Istio resources, which are validated like
 * hand-written ones and then join the snapshot (see {@link PolicyConflicts} for what happens when a
 * policy and a hand-written resource claim the same thing).
 *
 * <p>A Compiler keeps the per-file results of its last run keyed by file name and content hash (and,
 * for lowering, the mesh-wide defaults the file was lowered under), so compiling a tree again re-reads
 * and re-lowers only the files that changed. {@link #recompile} goes further: it takes just the
 * changed and removed files and reuses the rest of the last tree, so unchanged files are not even
 * hashed again (the sync loop and the admission webhook recompile often). Instances are thread-safe;
 * the stages they hold must be too.
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
    private final Map<String, FileUnit> cache = new ConcurrentHashMap<>();
    private final Map<String, LoweredUnit> lowerCache = new ConcurrentHashMap<>();
    /** The files of the last compile, by name: the base {@link #recompile} applies changes to. */
    private final TreeMap<String, SourceFile> current = new TreeMap<>();
    /** Keys of the last result, in order: the starting point of the next sort. */
    private volatile List<ResourceKey> lastOrder;

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

    /** Stages 1-3 for one file. Pure apart from the cache. */
    FileUnit compileFile(SourceFile file) {
        FileUnit cached = cache.get(file.name());
        if (cached != null && cached.hash().equals(file.contentHash())) {
            return cached;
        }
        Diagnostics sink = new Diagnostics();
        ParsedFile parsed = loader.load(file);
        sink.addAll(parsed.diagnostics());
        List<Resource> resources = decoder.decode(parsed, sink);
        Set<ResourceKey> invalid = new HashSet<>();
        for (Resource r : resources) {
            Diagnostics own = new Diagnostics();
            validate(r, own);
            if (own.hasErrors()) {
                invalid.add(r.key());
            }
            sink.addAll(own.sorted());
        }
        FileUnit unit = new FileUnit(file.contentHash(), parsed, resources, sink.sorted(), Set.copyOf(invalid));
        cache.put(file.name(), unit);
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

    /** Compiles a whole tree (reusing cached per-file results of files whose content did not change). */
    public CompileResult compile(SourceTree tree, Mode mode) {
        synchronized (current) {
            current.clear();
            tree.files().forEach(f -> current.put(f.name(), f));
        }
        return run(tree.files(), mode);
    }

    /**
     * Compiles the last tree given to {@link #compile} (or recompile) with some files replaced or added
     * ({@code changed}) and some removed (by name). Unchanged files are neither re-read, re-hashed nor
     * re-lowered; the result is the same as compiling the updated tree from scratch.
     */
    public CompileResult recompile(Collection<SourceFile> changed, Collection<String> removed, Mode mode) {
        List<SourceFile> files;
        synchronized (current) {
            removed.forEach(current::remove);
            changed.forEach(f -> current.put(f.name(), f));
            files = List.copyOf(current.values());
        }
        return run(files, mode);
    }

    /** {@link #recompile(Collection, Collection, Mode)} with no file removed. */
    public CompileResult recompile(Collection<SourceFile> changed, Mode mode) {
        return recompile(changed, List.of(), mode);
    }

    /** The tree of the last compile or recompile. */
    public SourceTree tree() {
        synchronized (current) {
            return new SourceTree(List.copyOf(current.values()));
        }
    }

    /** Stages 1-3 and lowering per file, then merging; {@code files} sorted by name. */
    private CompileResult run(List<SourceFile> files, Mode mode) {
        // Drop cache entries for files that are gone, so the caches follow the tree.
        Set<String> names = new HashSet<>();
        files.forEach(f -> names.add(f.name()));
        cache.keySet().retainAll(names);
        lowerCache.keySet().retainAll(names);

        List<FileUnit> units = files.parallelStream().map(this::compileFile).toList();

        Diagnostics sink = new Diagnostics();
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
                    sink.report(r.diagnostic(Severity.ERROR, Codes.DUPLICATE_RESOURCE, FieldPath.of("metadata", "name"),
                            r.key().display() + " is also defined at " + first.locate(FieldPath.ROOT)));
                    continue;
                }
                resources.add(r);
                if (r.is(PolicyKinds.MESH_DEFAULTS) && !unit.invalid().contains(r.key())) {
                    if (meshDefaults == null) {
                        meshDefaults = r;
                    } else {
                        sink.report(r.diagnostic(Severity.ERROR, Codes.POLICY_DUPLICATE_DEFAULTS,
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
        List<LoweredUnit> lowered = IntStream.range(0, files.size()).parallel()
                .mapToObj(i -> lowerFile(files.get(i), units.get(i), ctx, fingerprint)).toList();
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
        resources.addAll(PolicyConflicts.resolve(resources, policies, options.domainSuffix(), sink));
        return finish(sortByKey(resources), sink, mode, files.size(), documents);
    }

    /**
     * Sorts by key, starting from the order of the last run: after a small change the list is then
     * almost sorted and the (Tim)sort does about one comparison per resource instead of n log n.
     */
    private List<Resource> sortByKey(List<Resource> resources) {
        List<ResourceKey> previous = lastOrder;
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
        lastOrder = order;
        return out;
    }

    /** Lowers the valid policies of one file; the outputs are validated like hand-written resources. */
    private LoweredUnit lowerFile(SourceFile file, FileUnit unit, LoweringContext ctx, String fingerprint) {
        boolean any = false;
        for (Resource r : unit.resources()) {
            any |= PolicyKinds.isPolicy(r);
        }
        if (!any) {
            return LoweredUnit.EMPTY;
        }
        LoweredUnit cached = lowerCache.get(file.name());
        if (cached != null && cached.hash().equals(unit.hash()) && cached.context().equals(fingerprint)) {
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
        LoweredUnit unitOut = new LoweredUnit(unit.hash(), fingerprint, List.copyOf(out), sink.sorted());
        lowerCache.put(file.name(), unitOut);
        return unitOut;
    }

    /**
     * Stages 4-6 over resources that are already decoded and validated (by {@link #compile}, or by a
     * shell that holds a live snapshot, as admission does).
     */
    public CompileResult analyze(List<Resource> resources, Diagnostics sink) {
        return finish(resources, sink, Mode.CHECK, 0, 0);
    }

    private CompileResult finish(List<Resource> resources, Diagnostics sink, Mode mode, int files, int documents) {
        MeshIndex index = MeshIndex.build(resources, options.externalWorkloads(), options.domainSuffix(),
                options.rootNamespace());
        if (mode == Mode.CHECK) {
            for (Analyzer a : analyzers) {
                try {
                    a.analyze(index, sink);
                } catch (RuntimeException | StackOverflowError e) {
                    sink.report(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in analyzer "
                            + a.name() + ": " + e, "", null, ""));
                }
            }
        }
        List<Diagnostic> diagnostics = sink.sorted();
        for (DiagnosticFilter f : filters) {
            diagnostics = f.apply(diagnostics, index);
        }
        return new CompileResult(List.copyOf(resources), index, List.copyOf(diagnostics), files, documents);
    }

    /** Per-file result of stages 1-3, cached by content hash; {@code invalid}: resources with validation errors. */
    record FileUnit(String hash, ParsedFile parsed, List<Resource> resources, List<Diagnostic> diagnostics,
                    Set<ResourceKey> invalid) {
    }

    /** Per-file result of lowering, cached by content hash and lowering context. */
    record LoweredUnit(String hash, String context, List<PolicyConflicts.Lowered> policies,
                       List<Diagnostic> diagnostics) {
        static final LoweredUnit EMPTY = new LoweredUnit("", "", List.of(), List.of());
    }
}
