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
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compiler pipeline: load → decode → validate (per file, in parallel) → index → analyze → filter.
 *
 * <p>A Compiler keeps the per-file results of its last run keyed by file name and content hash, so
 * compiling a tree again re-reads only the files that changed (the sync loop and the admission
 * webhook recompile often). Instances are thread-safe; the stages they hold must be too.
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
        for (Resource r : resources) {
            validate(r, sink);
        }
        FileUnit unit = new FileUnit(file.contentHash(), parsed, resources, sink.sorted());
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

    public CompileResult compile(SourceTree tree, Mode mode) {
        List<SourceFile> files = tree.files();
        // Drop cache entries for files that are gone, so the cache follows the tree.
        java.util.Set<String> names = new java.util.HashSet<>();
        files.forEach(f -> names.add(f.name()));
        cache.keySet().retainAll(names);

        List<FileUnit> units = files.parallelStream().map(this::compileFile).toList();

        Diagnostics sink = new Diagnostics();
        List<Resource> resources = new ArrayList<>();
        Map<ResourceKey, Resource> seen = new HashMap<>();
        int documents = 0;
        for (FileUnit unit : units) {
            sink.addAll(unit.diagnostics());
            documents += unit.parsed().documents().size();
            for (Resource r : unit.resources()) {
                Resource first = seen.putIfAbsent(r.key(), r);
                if (first != null) {
                    sink.report(r.diagnostic(Severity.ERROR, Codes.DUPLICATE_RESOURCE, FieldPath.of("metadata", "name"),
                            r.key().display() + " is also defined at " + first.locate(FieldPath.ROOT)));
                } else {
                    resources.add(r);
                }
            }
        }
        resources.sort(Comparator.comparing(Resource::key));
        return finish(resources, sink, mode, files.size(), documents);
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

    /** Per-file result of stages 1-3, cached by content hash. */
    record FileUnit(String hash, ParsedFile parsed, List<Resource> resources, List<Diagnostic> diagnostics) {
    }
}
