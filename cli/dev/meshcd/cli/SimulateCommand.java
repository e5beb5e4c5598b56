package dev.meshcd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.envoy.SimRequest;
import dev.meshcd.compiler.envoy.SimResult;
import dev.meshcd.compiler.envoy.Simulator;
import dev.meshcd.compiler.report.TextRenderer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Send a request through the Envoy configuration a proxy would receive and show which listener,"
                + " route configuration, virtual host, route and clusters it reaches, or why nothing matched.%n"
                + "Exit 0 when simulated (matched or not), 1 when the mesh has errors, 2 on usage or I/O errors.",
        footer = {"%nExample (from the repository root):",
                "  meshcd simulate examples/ --proxy shop/frontend-v1 \\",
                "      --request \"GET http://catalog/items -H x-canary:true\""})
final class SimulateCommand extends PrintingCommand {
    enum Format { text, json }

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (read recursively); pipes; - for standard input.")
    List<Path> paths;

    @Option(names = "--proxy", required = true, paramLabel = "NAMESPACE/WORKLOAD",
            description = "The sidecar or gateway, e.g. shop/frontend or istio-system/istio-ingressgateway.")
    String proxy;

    @Option(names = "--request", required = true, paramLabel = "REQUEST",
            description = "curl-like: METHOD URL [-H name:value]... [-X METHOD], e.g. \"GET http://cart/items -H x-canary:true\".")
    String request;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @picocli.CommandLine.Mixin
    MeshLoading.Options options;

    @Override
    int run(PrintWriter stdout, PrintWriter stderr) throws Exception {
        SimRequest req;
        try {
            req = SimRequest.parse(request);
        } catch (IllegalArgumentException e) {
            stderr.println("meshcd simulate: --request: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        EffectiveMesh mesh = options.load(paths, stderr);
        if (mesh == null) {
            return ExitCodes.USAGE;
        }
        if (mesh.hasErrors()) {
            stderr.print(TextRenderer.lines(mesh.diagnostics()));
            stderr.println("meshcd simulate: the mesh has errors; fix them first");
            return ExitCodes.ERRORS;
        }
        ProxyConfig pc = mesh.proxies().get(proxy);
        if (pc == null) {
            stderr.println("meshcd simulate: no proxy " + proxy + "; proxies: " + String.join(", ", mesh.proxies().keySet()));
            return ExitCodes.USAGE;
        }
        SimResult r = Simulator.simulate(mesh.proxies(), pc, req);
        if (format == Format.json) {
            stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r.toJson()));
        } else {
            stdout.print(r.toText());
        }
        return ExitCodes.OK;
    }
}
