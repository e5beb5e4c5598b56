package dev.meshcd.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.admission.inject.InjectionConfigException;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioInjectorConfig;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.ManifestInjector;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.LoadLimits;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.IoProblem;
import dev.meshcd.compiler.source.SourceFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshcd kube-inject}: manual sidecar injection of manifests, like {@code istioctl kube-inject}.
 * Documents that hold no pod template are copied through unchanged.
 */
@Command(name = "kube-inject", mixinStandardHelpOptions = true,
        description = "Inject the Istio sidecar into Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,"
                + " CronJobs and Lists (multi-document YAML). Other documents pass through unchanged.%n"
                + "Exit 0 when done, 1 when a workload is refused (bad annotations), 2 on usage or I/O errors.")
final class KubeInjectCommand implements Callable<Integer> {
    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "Input YAML ('-' for stdin).")
    String input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: stdout).")
    Path output;

    @Option(names = "--hub", description = "Proxy image hub (default: --valuesFile's global.hub, else registry.istio.io/testing).")
    String hub;

    @Option(names = "--tag", description = "Proxy image tag (default: --valuesFile's global.tag, else latest).")
    String tag;

    @Option(names = "--revision", description = "Control-plane revision (default: --valuesFile's revision, else default).")
    String revision;

    @Option(names = "--valuesFile", paramLabel = "FILE",
            description = "Istio chart values (the istio-sidecar-injector ConfigMap's 'values'), as istioctl takes it.")
    Path valuesFile;

    @Option(names = "--injectConfigFile", paramLabel = "FILE",
            description = "Injector config (the istio-sidecar-injector ConfigMap's 'config'): policy, templates,"
                    + " defaultTemplates, aliases, injectedAnnotations.")
    Path injectConfigFile;

    @Option(names = "--meshConfigFile", paramLabel = "FILE",
            description = "Mesh config (the istio ConfigMap's 'mesh'), with defaultConfig.")
    Path meshConfigFile;

    @Option(names = {"-c", "--kubeconfig"}, paramLabel = "FILE", description = "Read the injector settings that no"
            + " file gives from this cluster's ConfigMaps (--injectConfigMapName's values and config,"
            + " --meshConfigMapName's mesh), as istioctl kube-inject does.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use with --kubeconfig.")
    String kubeContext;

    @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NS",
            description = "Istio's namespace, where the ConfigMaps are (default: ${DEFAULT-VALUE}).")
    String istioNamespace = "istio-system";

    @Option(names = "--injectConfigMapName", paramLabel = "NAME", description = "ConfigMap with the injector's 'config'"
            + " and 'values' (default: ${DEFAULT-VALUE}, istio-sidecar-injector-REV with --revision REV).")
    String injectConfigMapName = DEFAULT_INJECT_CONFIGMAP;

    @Option(names = "--meshConfigMapName", paramLabel = "NAME", description = "ConfigMap with the mesh config, key"
            + " 'mesh' (default: ${DEFAULT-VALUE}, istio-REV with --revision REV).")
    String meshConfigMapName = DEFAULT_MESH_CONFIGMAP;

    static final String DEFAULT_INJECT_CONFIGMAP = "istio-sidecar-injector";
    static final String DEFAULT_MESH_CONFIGMAP = "istio";

    @Option(names = "--native-sidecars", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Inject istio-proxy as a native sidecar (init container with restartPolicy Always).")
    boolean nativeSidecars;

    static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .disable(YAMLGenerator.Feature.SPLIT_LINES)
                    .build())
            .build();

    @Option(names = "--max-file-size", paramLabel = "SIZE", converter = FileSizeOption.class,
            description = "Largest input read, e.g. 64Mi or 1Gi (default: 64Mi).")
    Integer maxFileSize;

    @Override
    public Integer call() {
        if (kubeconfig == null && (kubeContext != null || !istioNamespace.equals("istio-system")
                || !injectConfigMapName.equals(DEFAULT_INJECT_CONFIGMAP)
                || !meshConfigMapName.equals(DEFAULT_MESH_CONFIGMAP))) {
            System.err.println("meshcd: --context, --istioNamespace, --injectConfigMapName and --meshConfigMapName"
                    + " read from a cluster: give its --kubeconfig");
            return ExitCodes.USAGE;
        }
        for (String n : java.util.Arrays.asList(istioNamespace, injectConfigMapName, meshConfigMapName, revision)) {
            // they become parts of API paths: only Kubernetes names
            if (n != null && !n.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
                System.err.println("meshcd: not a Kubernetes name: \"" + n + "\"");
                return ExitCodes.USAGE;
            }
        }
        String name = input.equals("-") ? DirectorySource.STDIN_NAME : input;
        int limit = maxFileSize != null ? maxFileSize : BoundedRead.DEFAULT_MAX_FILE_BYTES;
        byte[] bytes;
        try {
            bytes = input.equals("-") ? BoundedRead.stream(System.in, name, limit, "raise it with --max-file-size")
                    : BoundedRead.file(Path.of(input), name, limit, "raise it with --max-file-size");
        } catch (IOException e) {
            System.err.println("meshcd: cannot read input: " + IoProblem.describe(e));
            return ExitCodes.USAGE;
        }
        // The whole input first: bad UTF-8 and YAML errors are reported at their line and column in it.
        YamlLoader loader = new YamlLoader(LoadLimits.DEFAULT.withMaxFileBytes(limit));
        ParsedFile whole = loader.load(new SourceFile(name, bytes));
        if (!whole.diagnostics().isEmpty()) {
            whole.diagnostics().forEach(d -> System.err.println("meshcd: " + d.location() + ": " + d.message()));
            return ExitCodes.ERRORS;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        InjectionSettings settings;
        try {
            IstioInjectorConfig.Inputs inputs = IstioInjectorConfig.readInputs(valuesFile, injectConfigFile,
                    meshConfigFile);
            if (kubeconfig != null) {
                inputs = fromCluster(inputs);
            }
            settings = IstioInjectorConfig.read(inputs, InjectionSettings.defaults())
                    .withOverrides(hub, tag, revision, nativeSidecars);
        } catch (IOException | InjectionConfigException | MeshLoading.UsageException e) {
            System.err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ManifestInjector injector = new ManifestInjector(new IstioSidecarInjector(settings));
        StringBuilder out = new StringBuilder();
        List<String> errors = new ArrayList<>();
        for (Chunk chunk : chunks(text)) {
            String raw = chunk.text();
            if (raw.isBlank()) {
                continue;
            }
            ParsedFile parsed = loader.load(SourceFile.ofString(name, raw));
            if (!parsed.diagnostics().isEmpty()) {
                parsed.diagnostics().forEach(d -> errors.add(chunk.place(d.location()) + ": " + d.message()));
                continue;
            }
            Document doc = parsed.documents().stream().filter(d -> d.root() != null && d.root().isObject())
                    .findFirst().orElse(null);
            ManifestInjector.Outcome outcome = doc == null ? null : injector.inject(doc.root());
            if (outcome == null || !outcome.changed()) {
                if (outcome != null) {
                    outcome.notes().forEach(n -> System.err.println("meshcd: " + n));
                    for (int i = 0; i < outcome.errors().size(); i++) {
                        SourceLocation at = parsed.locate(doc.index(), outcome.errorPaths().get(i));
                        errors.add(chunk.place(at) + ": " + outcome.errors().get(i));
                    }
                }
                out.append(raw.endsWith("\n") ? raw : raw + "\n");
            } else {
                outcome.notes().forEach(n -> System.err.println("meshcd: " + n));
                try {
                    out.append(YAML.writeValueAsString(outcome.document()));
                } catch (JsonProcessingException e) {
                    errors.add(name + ": cannot write YAML: " + e.getOriginalMessage());
                }
            }
            out.append("---\n");
        }
        if (!errors.isEmpty()) {
            errors.forEach(e -> System.err.println("meshcd: " + e));
            return ExitCodes.ERRORS;
        }
        try {
            if (output == null) {
                PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                        StandardCharsets.UTF_8);
                stdout.print(out);
                stdout.flush();
            } else {
                Files.writeString(output, out, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            System.err.println("meshcd: cannot write " + output + ": " + IoProblem.describe(e));
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }

    /**
     * The parts no file gave, from the cluster's ConfigMaps (istioctl's names: with {@code --revision REV} a name
     * left at its default gets the suffix {@code -REV}). A ConfigMap or key that is missing is an error, as in
     * istioctl: injecting with defaults would not be what the cluster's istiod does.
     */
    private IstioInjectorConfig.Inputs fromCluster(IstioInjectorConfig.Inputs files) throws MeshLoading.UsageException {
        boolean revised = revision != null && !revision.isEmpty() && !revision.equals("default");
        String injectName = revised && injectConfigMapName.equals(DEFAULT_INJECT_CONFIGMAP)
                ? DEFAULT_INJECT_CONFIGMAP + "-" + revision : injectConfigMapName;
        String meshName = revised && meshConfigMapName.equals(DEFAULT_MESH_CONFIGMAP)
                ? DEFAULT_MESH_CONFIGMAP + "-" + revision : meshConfigMapName;
        SourceFile values = files.values();
        SourceFile config = files.config();
        SourceFile mesh = files.mesh();
        try (KubernetesClient client = ClusterContextSource.client(kubeconfig, kubeContext)) {
            if (values == null || config == null) {
                ConfigMap cm = configMap(client, injectName, values == null ? "--valuesFile" : "--injectConfigFile");
                values = values != null ? values : key(cm, "values");
                config = config != null ? config : key(cm, "config");
            }
            if (mesh == null) {
                mesh = key(configMap(client, meshName, "--meshConfigFile"), "mesh");
            }
        } catch (KubernetesClientException e) {
            throw new MeshLoading.UsageException("cannot read the cluster of --kubeconfig " + kubeconfig + ": "
                    + dev.meshcd.kube.Faults.oneLine(e));
        }
        return new IstioInjectorConfig.Inputs(values, config, mesh);
    }

    private ConfigMap configMap(KubernetesClient client, String name, String fileOption)
            throws MeshLoading.UsageException {
        ConfigMap cm = client.configMaps().inNamespace(istioNamespace).withName(name).get();
        if (cm == null) {
            throw new MeshLoading.UsageException("no ConfigMap " + name + " in namespace " + istioNamespace
                    + " (use " + fileOption + ", or -i ISTIO_NAMESPACE where Istio is installed)");
        }
        return cm;
    }

    private SourceFile key(ConfigMap cm, String key) throws MeshLoading.UsageException {
        SourceFile part = InjectorConfigWatch.part(cm, key);
        if (part == null) {
            throw new MeshLoading.UsageException("ConfigMap " + istioNamespace + "/" + cm.getMetadata().getName()
                    + " has no key \"" + key + "\"");
        }
        return part;
    }

    /**
     * One document's text as written, and where it starts in the input: its first line's number and the column
     * of its first character (5 when it follows {@code "--- "} on the separator line).
     */
    record Chunk(String text, int line, int column) {
        /** A position inside this chunk, as a position in the whole input. */
        String place(SourceLocation at) {
            if (at.line() <= 0) {
                return at.file();
            }
            int col = at.line() == 1 ? at.column() + column - 1 : at.column();
            return at.file() + ":" + (at.line() + line - 1) + ":" + col;
        }
    }

    /** Splits a YAML stream on "---" separator lines, keeping each document's text as written. */
    static List<String> splitDocuments(String text) {
        return chunks(text).stream().map(Chunk::text).toList();
    }

    /**
     * Splits on separator lines. Content after {@code "--- "} on the separator line itself ({@code --- {kind: Pod}})
     * starts the next document; a comment there is dropped.
     */
    static List<Chunk> chunks(String text) {
        List<Chunk> docs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int startLine = 1;
        int startColumn = 1;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t") || line.equals("---\r")) {
                docs.add(new Chunk(current.toString(), startLine, startColumn));
                current.setLength(0);
                String rest = line.substring(3).stripLeading();
                if (rest.isBlank() || rest.startsWith("#")) {
                    startLine = lineNo + 1;
                    startColumn = 1;
                } else {
                    startLine = lineNo;
                    startColumn = line.length() - rest.length() + 1;
                    current.append(rest).append('\n');
                }
            } else {
                current.append(line).append('\n');
            }
        }
        String last = current.toString();
        if (last.endsWith("\n") && !text.endsWith("\n")) {
            last = last.substring(0, last.length() - 1);
        }
        docs.add(new Chunk(last, startLine, startColumn));
        return docs;
    }
}
