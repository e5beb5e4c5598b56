package dev.meshcd.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.admission.inject.InjectionConfigException;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioInjectorConfig;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.ManifestInjector;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    @Override
    public Integer call() {
        String text;
        try {
            text = input.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(input), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            System.err.println("meshcd: " + input + ": no such file");
            return ExitCodes.USAGE;
        } catch (IOException e) {
            System.err.println("meshcd: cannot read " + input + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        InjectionSettings settings;
        try {
            settings = IstioInjectorConfig.readFiles(valuesFile, injectConfigFile, meshConfigFile,
                    InjectionSettings.defaults()).withOverrides(hub, tag, revision, nativeSidecars);
        } catch (IOException | InjectionConfigException e) {
            System.err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ManifestInjector injector = new ManifestInjector(new IstioSidecarInjector(settings));
        StringBuilder out = new StringBuilder();
        List<String> errors = new ArrayList<>();
        String name = input.equals("-") ? "<stdin>" : input;
        for (String raw : splitDocuments(text)) {
            if (raw.isBlank()) {
                continue;
            }
            ParsedFile parsed = new YamlLoader().load(SourceFile.ofString(name, raw));
            if (!parsed.diagnostics().isEmpty()) {
                parsed.diagnostics().stream().map(Diagnostic::message).forEach(msg -> errors.add(name + ": " + msg));
                continue;
            }
            JsonNode root = parsed.documents().stream().map(Document::root).filter(r -> r != null && r.isObject())
                    .findFirst().orElse(null);
            ManifestInjector.Outcome outcome = root == null ? null : injector.inject(root);
            if (outcome == null || !outcome.changed()) {
                if (outcome != null) {
                    outcome.notes().forEach(n -> System.err.println("meshcd: " + n));
                    outcome.errors().forEach(e -> errors.add(name + ": " + e));
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
            System.err.println("meshcd: cannot write " + output + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }

    /** Splits a YAML stream on "---" separator lines, keeping each document's text as written. */
    static List<String> splitDocuments(String text) {
        List<String> docs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t") || line.equals("---\r")) {
                docs.add(current.toString());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        String last = current.toString();
        if (last.endsWith("\n") && !text.endsWith("\n")) {
            last = last.substring(0, last.length() - 1);
        }
        docs.add(last);
        return docs;
    }
}
