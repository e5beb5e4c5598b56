package dev.meshcd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.envoy.ConfigDumps;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.output.IstioOutput;
import dev.meshcd.compiler.report.JsonRenderer;
import dev.meshcd.compiler.report.TextRenderer;
import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.IoProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Compile a mesh: check it, then write the Istio resources to apply and the Envoy configuration"
                + " every proxy would receive (OUT/istio/<namespace>/<kind>-<name>.yaml,"
                + " OUT/envoy/<namespace>/<workload>.json).%n"
                + "Nothing is written when there is any error. Exit 0 ok, 1 errors, 2 usage or I/O errors.")
final class CompileToCommand extends PrintingCommand {
    enum Format { text, json }

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (read recursively); pipes; - for standard input.")
    List<Path> paths;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "Output directory, replaced whole and atomically; meshcd refuses one that holds files it did not write or that contains an input.")
    Path out;

    @Option(names = "--format", defaultValue = "text",
            description = "text: write files and print a summary; json: print resources and diagnostics to stdout, write nothing.")
    Format format;

    @picocli.CommandLine.Mixin
    MeshLoading.Options options;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    @Override
    int run(PrintWriter stdout, PrintWriter stderr) throws IOException {
        if (format == Format.text && out == null) {
            stderr.println("meshcd compile: -o OUT is required (or --format json)");
            return ExitCodes.USAGE;
        }
        if (out != null) {
            Optional<String> refused;
            try {
                refused = OutputDirectory.refusal(out, paths, options.repo.maxFileSize != null
                        ? options.repo.maxFileSize : BoundedRead.DEFAULT_MAX_FILE_BYTES);
            } catch (IOException e) {
                refused = Optional.of("cannot use " + out + ": " + IoProblem.describe(e));
            }
            if (refused.isPresent()) {
                stderr.println("meshcd compile: " + refused.get());
                return ExitCodes.USAGE;
            }
        }
        EffectiveMesh mesh = options.load(paths, stderr);
        if (mesh == null) {
            return ExitCodes.USAGE;
        }
        // Exactly what the sync loop would apply (ownership label, source annotation): a team that renders with
        // compile and applies with another tool gets objects meshcd's ownership guard knows.
        List<Resource> istio = mesh.result().resources().stream().filter(IstioOutput::isApplied)
                .map(IstioOutput::applied).toList();
        Map<String, String> files = new TreeMap<>();
        // Names become paths: one that could leave OUT (a namespace "../x") is an error, and nothing is written.
        List<String> unsafe = new ArrayList<>();
        for (Resource r : istio) {
            String path = IstioOutput.path(r);
            OutputDirectory.invalidPath(path).ifPresent(e -> unsafe.add(r.locate(FieldPath.of("metadata")) + ": "
                    + r.key().display() + ": " + e));
            files.put(path, IstioOutput.yaml(r));
        }
        for (Map.Entry<String, ProxyConfig> e : mesh.proxies().entrySet()) {
            String path = "envoy/" + e.getKey() + ".json";
            OutputDirectory.invalidPath(path).ifPresent(m -> unsafe.add("proxy " + e.getKey() + ": " + m));
            files.put(path, ConfigDumps.json(e.getValue()));
        }
        if (!unsafe.isEmpty() && format == Format.text) {
            unsafe.forEach(u -> stderr.println("meshcd compile: " + u));
            stderr.println("meshcd compile: names that are not DNS-1123 cannot be written; nothing written to " + out);
            return ExitCodes.ERRORS;
        }
        if (format == Format.json) {
            ObjectNode root = JSON.createObjectNode();
            root.put("ok", !mesh.hasErrors());
            ArrayNode is = root.putArray("istio");
            if (!mesh.hasErrors()) {
                for (Resource r : istio) {
                    is.addObject().put("path", IstioOutput.path(r)).set("resource", r.object());
                }
                ObjectNode env = root.putObject("envoy");
                for (Map.Entry<String, ProxyConfig> e : mesh.proxies().entrySet()) {
                    env.set(e.getKey(), JSON.readTree(ConfigDumps.json(e.getValue())));
                }
            }
            root.set("diagnostics", JsonRenderer.diagnostics(mesh.diagnostics()));
            stdout.println(JSON.writeValueAsString(root));
            return mesh.hasErrors() ? ExitCodes.ERRORS : ExitCodes.OK;
        }
        if (mesh.hasErrors()) {
            stdout.print(new TextRenderer(false, false).render(mesh.withDiagnostics()));
            stderr.println("meshcd compile: errors found; nothing written to " + out);
            return ExitCodes.ERRORS;
        }
        try {
            OutputDirectory.write(out, files);
        } catch (IOException e) {
            stderr.println("meshcd compile: cannot write " + out + " (" + IoProblem.describe(e)
                    + "); the previous output is unchanged");
            return ExitCodes.USAGE;
        }
        long warnings = mesh.diagnostics().stream().filter(d -> !d.isError()).count();
        int listeners = 0;
        int routes = 0;
        int clusters = 0;
        for (ProxyConfig pc : mesh.proxies().values()) {
            listeners += pc.listeners().size();
            routes += pc.routes().size();
            clusters += pc.clusters().size();
        }
        if (warnings > 0) {
            stdout.print(TextRenderer.lines(mesh.diagnostics()));
        }
        stdout.printf("wrote %d Istio resources and %d proxy configurations (%d listeners, %d route configurations,"
                        + " %d clusters) to %s%n", istio.size(), mesh.proxies().size(), listeners, routes, clusters, out);
        return ExitCodes.OK;
    }
}
