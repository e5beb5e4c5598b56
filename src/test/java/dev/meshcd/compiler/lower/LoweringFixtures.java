package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Shared by the lowering tests, the docs generator and the benchmark: compile text, print outputs as YAML. */
public final class LoweringFixtures {
    public static final Path ROOT = Path.of("src", "test", "resources", "lowering");
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private LoweringFixtures() {
    }

    public static boolean regenerate() {
        return Boolean.getBoolean("meshcd.regenerate");
    }

    public static List<String> cases() {
        try (Stream<Path> s = Files.list(ROOT)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles {@code text} as file {@code name} (mode CHECK, default options). */
    public static CompileResult compile(String name, String text) {
        return compile(CompileOptions.DEFAULT, SourceFile.ofString(name, text));
    }

    public static CompileResult compile(CompileOptions options, SourceFile... files) {
        Compiler c = StandardStages.compiler(options);
        return c.compile(SourceTree.of(files), Compiler.Mode.CHECK);
    }

    /** The generated resources as one multi-document YAML stream, in key order. */
    public static String yaml(List<Resource> resources) {
        StringBuilder sb = new StringBuilder();
        for (Resource r : resources) {
            if (sb.length() > 0) {
                sb.append("---\n");
            }
            try {
                sb.append(YAML.writeValueAsString(r.object()));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }
}
