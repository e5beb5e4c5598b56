package dev.meshcd.compiler.workspace;

import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.config.MeshcdConfigParser;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.IncrementalState;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.prepare.FluxSubstitution;
import dev.meshcd.compiler.prepare.Kustomizations;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.diag.Diagnostic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The one front door to the compiler: a repository tree, its {@code meshcd.yaml}, and all incremental state.
 * Every shell (the CLI commands, the sync loop, the admission webhook) compiles through a Workspace, so they
 * all see a repository the same way: its default namespace, domain suffix, outside workloads, excludes and
 * suppressions, with the config file's own findings (MCD9001) in the result.
 *
 * <p>The config comes from, in order: an explicit file ({@link Builder#config}: {@code --config}, or one
 * discovered on disk), else the file named {@link Builder#configName} in the tree itself (a Git revision's
 * {@code meshcd.yaml} at the synced path), else none. When that file changes in an {@link #update}, the
 * compiler is rebuilt under the new settings and the whole tree compiled again.
 *
 * <p>Writes ({@link #compile}, {@link #update}) have one writer at a time (they are serialized); the stages
 * stay stateless and the state lives here. Readers ({@link #compiler}, {@link #config}, {@link #last}) see the
 * settings and result of the last completed write.
 */
public final class Workspace {
    private final CompileOptions baseOptions;
    private final String namespaceOverride;
    private final Integer maxFileSizeOverride;
    private final SourceFile explicitConfig;
    private final String configName;
    private final Set<String> explicitFiles;
    private final BiFunction<CompileOptions, List<DiagnosticFilter>, Compiler> stages;
    private final Supplier<MeshContext> context;
    private final ContextReader contextReader;
    private final ConfigContext configContext = new ConfigContext();

    private final Object writer = new Object();
    /** The whole tree as given, excluded files and the config included: excludes can change with the config. */
    private final TreeMap<String, SourceFile> files = new TreeMap<>();
    private String configHash;
    /** Preparation before loading: meshcd.yaml's substitution, and what the tree's kustomizations say. */
    private FluxSubstitution substitution;
    private Kustomizations.Plan kustomize = Kustomizations.Plan.EMPTY;
    private IncrementalState state;
    private volatile View view;
    /** meshcd.yaml's context as last loaded, and the shell's context as last supplied. */
    private ConfigContext.Loaded declared = ConfigContext.Loaded.NONE;
    private MeshContext supplied = MeshContext.NONE;

    /** What readers see: the settings in force and the last result (null before the first compile). */
    private record View(MeshcdConfig config, Compiler compiler, CompileResult last) {
    }

    private Workspace(Builder b) {
        this.baseOptions = b.options;
        this.namespaceOverride = b.namespace;
        this.maxFileSizeOverride = b.maxFileSize;
        this.explicitConfig = b.config;
        this.configName = b.configName;
        this.explicitFiles = Set.copyOf(b.explicitFiles);
        this.stages = b.stages;
        this.context = b.context;
        this.contextReader = b.contextReader;
        useConfig(explicitConfig);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Compiles a whole tree (reusing cached results of files whose content did not change). */
    public CompileResult compile(SourceTree tree, Compiler.Mode mode) {
        synchronized (writer) {
            files.clear();
            tree.files().forEach(f -> files.put(f.name(), f));
            return compileAll(mode);
        }
    }

    /**
     * Compiles the last tree with {@code changed} files replaced or added and {@code removed} ones (by name)
     * gone; the result equals a {@link #compile} of the updated tree. Only what changed is re-read, unless the
     * config file itself changed.
     */
    public CompileResult update(Collection<SourceFile> changed, Collection<String> removed, Compiler.Mode mode) {
        synchronized (writer) {
            removed.forEach(files::remove);
            changed.forEach(f -> files.put(f.name(), f));
            boolean configTouched = explicitConfig == null && configName != null
                    && (removed.contains(configName) || changed.stream().anyMatch(f -> f.name().equals(configName)));
            boolean contextTouched = changed.stream().anyMatch(f -> declared.covers(f.name()))
                    || removed.stream().anyMatch(declared::covers);
            boolean kustomizationTouched = removed.stream().anyMatch(Kustomizations::isKustomization)
                    || changed.stream().anyMatch(f -> Kustomizations.isKustomization(f.name()));
            if (configTouched || contextTouched || kustomizationTouched) {
                return compileAll(mode);
            }
            MeshcdConfig config = view.config();
            List<SourceFile> kept = changed.stream().filter(f -> included(config, f.name()))
                    .flatMap(f -> kustomize.apply(f).stream()).map(substitution::apply).toList();
            List<String> gone = removed.stream().filter(n -> !Objects.equals(n, configName)).toList();
            useContext();
            return publish(withDiagnostics(config, view.compiler().recompile(state, kept, gone, mode)));
        }
    }

    private CompileResult compileAll(Compiler.Mode mode) {
        if (explicitConfig == null) {
            useConfig(configName == null ? null : files.get(configName));
        }
        MeshcdConfig config = view.config();
        Compiler compiler = view.compiler();
        declared = configContext.load(config, files, contextReader, compiler.decoder(), compiler.options().limits());
        List<SourceFile> compiled = new ArrayList<>(files.size());
        for (SourceFile f : files.values()) {
            if (!declared.covers(f.name())) {
                compiled.add(f); // files under a context: path are context, not compiled
            }
        }
        SourceTree tree = new SourceTree(compiled);
        if (config != MeshcdConfig.EMPTY) {
            tree = config.applyTo(tree, explicitFiles);
        }
        kustomize = Kustomizations.plan(tree);
        tree = substitution.apply(kustomize.apply(tree));
        useContext();
        return publish(withDiagnostics(config, compiler.compile(state, tree, mode)));
    }

    /** Asks the shell for its context (consulted at every compile and update) and hands the whole to the state. */
    private void useContext() {
        MeshContext now = Objects.requireNonNull(context.get(), "context supplier returned null");
        supplied = now;
        state.context(ConfigContext.combine(now, declared.context()));
    }

    /** The result with meshcd.yaml's findings and those about its context paths. */
    private CompileResult withDiagnostics(MeshcdConfig config, CompileResult result) {
        result = config.withDiagnostics(result);
        if (declared.diagnostics().isEmpty()) {
            return result;
        }
        List<Diagnostic> all = new ArrayList<>(result.diagnostics());
        all.addAll(declared.diagnostics());
        all.sort(Diagnostic.ORDER);
        return new CompileResult(result.resources(), result.index(), List.copyOf(all), result.files(),
                result.documents());
    }

    /** The context of the last compile or update: the shell's, with meshcd.yaml's context: and external: objects. */
    public MeshContext context() {
        synchronized (writer) {
            return state.context();
        }
    }

    private boolean included(MeshcdConfig config, String name) {
        return config == MeshcdConfig.EMPTY || config.includes(name, explicitFiles);
    }

    private CompileResult publish(CompileResult result) {
        View v = view;
        view = new View(v.config(), v.compiler(), result);
        return result;
    }

    /** Rebuilds the compiler (and drops the incremental state) when the config differs from the one in force. */
    private void useConfig(SourceFile file) {
        String hash = file == null ? "" : file.contentHash();
        if (hash.equals(configHash)) {
            return;
        }
        MeshcdConfig config = file == null ? MeshcdConfig.EMPTY : MeshcdConfigParser.parse(file);
        CompileOptions options = optionsUnder(config);
        List<DiagnosticFilter> filters = config == MeshcdConfig.EMPTY ? List.of() : List.of(config.filter());
        configHash = hash;
        substitution = config.substitution();
        state = new IncrementalState();
        declared = ConfigContext.Loaded.NONE;
        view = new View(config, stages.apply(options, filters), null);
    }

    private CompileOptions optionsUnder(MeshcdConfig config) {
        CompileOptions options = config.applyTo(baseOptions);
        if (namespaceOverride != null) {
            options = options.withDefaultNamespace(namespaceOverride);
        }
        if (maxFileSizeOverride != null) {
            options = options.withLimits(options.limits().withMaxFileBytes(maxFileSizeOverride));
        }
        return options;
    }

    /**
     * The largest file to read for the settings in force: what readers pass to DirectorySource and GitTreeSource,
     * so a file over it is never read whole.
     */
    public int maxFileBytes() {
        return options().limits().maxFileBytes();
    }

    /**
     * The largest file to read for a compile of {@code tree}: as {@link #maxFileBytes}, but under the tree's own
     * meshcd.yaml when the config comes from the tree (a Git revision whose meshcd.yaml changes maxFileSize).
     */
    public int maxFileBytesFor(SourceTree tree) {
        if (explicitConfig != null || configName == null) {
            return maxFileBytes();
        }
        SourceFile file = tree.files().stream().filter(f -> f.name().equals(configName)).findFirst().orElse(null);
        MeshcdConfig config = file == null ? MeshcdConfig.EMPTY : MeshcdConfigParser.parse(file);
        return optionsUnder(config).limits().maxFileBytes();
    }

    /** The compiler under the settings in force (for shells that run single stages: the webhook). */
    public Compiler compiler() {
        return view.compiler();
    }

    /** The meshcd.yaml in force ({@link MeshcdConfig#EMPTY} when there is none). */
    public MeshcdConfig config() {
        return view.config();
    }

    public CompileOptions options() {
        return view.compiler().options();
    }

    /** The result of the last compile or update, or null before the first. */
    public CompileResult last() {
        return view.last();
    }

    /** The tree of the last compile or update as compiled (without the config file and excluded files). */
    public SourceTree tree() {
        synchronized (writer) {
            return state.tree();
        }
    }

    /** Phase timings of the last compile or update (see {@link IncrementalState#lastTimings}). */
    public Map<String, Long> lastTimings() {
        synchronized (writer) {
            return state.lastTimings();
        }
    }

    /** How a workspace reads its repository. */
    public static final class Builder {
        private CompileOptions options = CompileOptions.DEFAULT;
        private String namespace;
        private Integer maxFileSize;
        private SourceFile config;
        private String configName;
        private Set<String> explicitFiles = Set.of();
        private BiFunction<CompileOptions, List<DiagnosticFilter>, Compiler> stages = StandardStages::compiler;
        private Supplier<MeshContext> context = () -> MeshContext.NONE;
        private ContextReader contextReader;

        private Builder() {
        }

        /** Settings before meshcd.yaml applies (domain suffix, limits, the commit being compiled). */
        public Builder options(CompileOptions options) {
            this.options = Objects.requireNonNull(options);
            return this;
        }

        /** The default namespace, winning over meshcd.yaml's ({@code -n}); null leaves it to the config. */
        public Builder defaultNamespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** The largest input file in bytes, winning over meshcd.yaml's maxFileSize ({@code --max-file-size}); null leaves it to the config. */
        public Builder maxFileSize(Integer bytes) {
            this.maxFileSize = bytes;
            return this;
        }

        /** An explicit config file; the tree's own is then never consulted. */
        public Builder config(SourceFile config) {
            this.config = config;
            return this;
        }

        /** The name (as the tree names files) of the config file inside the tree, e.g. {@code deploy/meshcd.yaml}. */
        public Builder configName(String configName) {
            this.configName = configName;
            return this;
        }

        /** Files named one by one (on the command line): never excluded by the config. */
        public Builder explicitFiles(Set<String> names) {
            this.explicitFiles = Set.copyOf(names);
            return this;
        }

        /** The stages to run under the final options and the config's filters (default: the standard ones). */
        public Builder stages(BiFunction<CompileOptions, List<DiagnosticFilter>, Compiler> stages) {
            this.stages = Objects.requireNonNull(stages);
            return this;
        }

        /**
         * What lives outside the repository (a live cluster's objects, from the shell), consulted at every
         * compile and update. When it is not {@linkplain MeshContext#sameAs the same} as the last one, the
         * repository is analyzed again against it (its per-file results stay cached). meshcd.yaml's
         * {@code context:} and {@code external:} add to it; the supplied objects win over those of the same key,
         * and the repository's own win over both.
         */
        public Builder context(Supplier<MeshContext> context) {
            this.context = Objects.requireNonNull(context);
            return this;
        }

        /** Reads meshcd.yaml's {@code context:} paths that the tree does not hold (a workspace on disk). */
        public Builder contextReader(ContextReader reader) {
            this.contextReader = reader;
            return this;
        }

        public Workspace build() {
            return new Workspace(this);
        }
    }
}
