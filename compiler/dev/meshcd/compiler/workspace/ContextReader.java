package dev.meshcd.compiler.workspace;

import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.util.List;

/**
 * Reads a {@code context:} path that the repository tree does not hold (another checkout beside it, a dump
 * next to meshcd.yaml): given the path as the tree names files, its configuration files named the same way.
 * Only a workspace on disk has one; a Git revision can use paths inside its tree only.
 */
@FunctionalInterface
public interface ContextReader {
    /** @throws java.nio.file.NoSuchFileException when the path does not exist */
    List<SourceFile> read(String path) throws IOException;
}
