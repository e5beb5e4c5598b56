package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The shop mesh under src/test/resources/envoy/mesh, compiled once. */
final class EnvoyFixture {
    static final Path MESH = Path.of("src", "test", "resources", "envoy", "mesh");
    static final Path GOLDEN = Path.of("src", "test", "resources", "envoy", "golden");

    private static CompileResult result;
    private static EnvoyTranslator translator;

    private EnvoyFixture() {
    }

    static synchronized CompileResult compile() {
        if (result == null) {
            result = compile(MESH);
        }
        return result;
    }

    static CompileResult compile(Path dir) {
        try {
            return StandardStages.compiler(CompileOptions.DEFAULT)
                    .compile(DirectorySource.read(List.of(dir)), Compiler.Mode.CHECK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized EnvoyTranslator translator() {
        if (translator == null) {
            translator = new EnvoyTranslator(compile().index());
        }
        return translator;
    }

    static ProxyConfig proxy(String id) {
        EnvoyTranslator t = translator();
        return t.translate(t.proxy(id).orElseThrow(() -> new AssertionError("no proxy " + id)));
    }
}
