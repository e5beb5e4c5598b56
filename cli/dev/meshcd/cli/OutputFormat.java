package dev.meshcd.cli;

import dev.meshcd.compiler.report.JsonRenderer;
import dev.meshcd.compiler.report.Renderer;
import dev.meshcd.compiler.report.SarifRenderer;
import dev.meshcd.compiler.report.TextRenderer;

/** The --format values of the commands that report diagnostics. */
public enum OutputFormat {
    text, json, sarif;

    public Renderer renderer(boolean colour, boolean showInfo) {
        return switch (this) {
            case text -> new TextRenderer(colour, showInfo);
            case json -> new JsonRenderer();
            case sarif -> new SarifRenderer(Version.current());
        };
    }
}
