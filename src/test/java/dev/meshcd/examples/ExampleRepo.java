package dev.meshcd.examples;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.config.MeshcdConfigParser;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** examples/ compiled as `meshcd check examples/` does: meshcd.yaml applied, broken/ excluded. */
final class ExampleRepo {
    static final Path ROOT = Path.of("examples");

    private ExampleRepo() {
    }

    static MeshcdConfig config() throws IOException {
        Path p = ROOT.resolve(MeshcdConfig.FILE_NAME);
        return MeshcdConfigParser.parse(new SourceFile("examples/meshcd.yaml", Files.readAllBytes(p)));
    }

    /** The clean repo, plus {@code extra} files (which exclusion never drops). */
    static CompileResult check(SourceFile... extra) throws IOException {
        MeshcdConfig cfg = config();
        SourceTree tree = cfg.applyTo(DirectorySource.read(List.of(ROOT)));
        List<SourceFile> files = new ArrayList<>(tree.files());
        files.addAll(List.of(extra));
        Compiler compiler = StandardStages.compiler(cfg.applyTo(CompileOptions.DEFAULT), List.of(cfg.filter()));
        return compiler.compile(new SourceTree(files), Compiler.Mode.CHECK);
    }
}
