package dev.meshcd.compiler.validate;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Loads YAML into resources and runs validators over them, for validator tests. */
public final class ValidationTestSupport {
    private ValidationTestSupport() {
    }

    /** The resources of a YAML text (decoder diagnostics go to {@code sink}). */
    public static List<Resource> resources(String fileName, String yaml, Diagnostics sink) {
        ParsedFile parsed = new YamlLoader().load(SourceFile.ofString(fileName, yaml));
        sink.addAll(parsed.diagnostics());
        return new Decoder(KindRegistry.standard(), "default").decode(parsed, sink);
    }

    public static Resource resource(String yaml) {
        Diagnostics d = new Diagnostics();
        List<Resource> rs = resources("test.yaml", yaml, d);
        if (rs.size() != 1) {
            throw new IllegalArgumentException("expected one resource, got " + rs.size() + ": " + d.sorted());
        }
        return rs.get(0);
    }

    /** Runs the validators over every resource of the YAML text; returns the sorted diagnostics. */
    public static List<Diagnostic> validate(String yaml, ResourceValidator... validators) {
        Diagnostics sink = new Diagnostics();
        for (Resource r : resources("test.yaml", yaml, sink)) {
            for (ResourceValidator v : validators) {
                v.validate(r, sink);
            }
        }
        return sink.sorted();
    }

    /** {@code ../shared/conformance/istio} from the project root, or {@code /work/shared/conformance/istio}. */
    public static Optional<Path> conformance() {
        return Optional.ofNullable(dev.meshcd.testing.SharedData.istioRoot());
    }
}
