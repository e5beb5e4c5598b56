package dev.meshcd.compiler.report;

import dev.meshcd.compiler.pipeline.CompileResult;

/** Turns a compile result into text for a person or a tool. All formatting of diagnostics lives in this package. */
public interface Renderer {
    String render(CompileResult result);
}
