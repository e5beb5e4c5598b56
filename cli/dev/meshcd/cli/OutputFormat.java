package dev.meshcd.cli;

import dev.meshcd.compiler.report.JsonRenderer;
import dev.meshcd.compiler.report.Renderer;
import dev.meshcd.compiler.report.SarifRenderer;
import dev.meshcd.compiler.report.TextRenderer;
import dev.meshcd.compiler.report.YamlRenderer;

/** The --format (-o, --output) values of the commands that report diagnostics. */
public enum OutputFormat {
    text, json, yaml, sarif;

    public Renderer renderer(boolean colour, boolean showInfo) {
        return switch (this) {
            case text -> new TextRenderer(colour, showInfo);
            case json -> new JsonRenderer();
            case yaml -> new YamlRenderer();
            case sarif -> new SarifRenderer(Version.current());
        };
    }
}
