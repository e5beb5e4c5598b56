package dev.meshcd.compiler.report;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.List;

/**
 * {@code file:line:col: error IST0101 [VirtualService shop/cart] message (spec.http[0].route[0])},
 * one line per diagnostic, then a summary line. Colour only when asked (the CLI asks on a TTY).
 */
public final class TextRenderer implements Renderer {
    private final boolean colour;
    private final boolean showInfo;

    public TextRenderer(boolean colour, boolean showInfo) {
        this.colour = colour;
        this.showInfo = showInfo;
    }

    @Override
    public String render(CompileResult result) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : result.diagnostics()) {
            if (d.severity() == Severity.INFO && !showInfo) {
                continue;
            }
            sb.append(line(d)).append('\n');
        }
        sb.append(Summary.of(result.files(), result.documents(), result.resources().size(), result.diagnostics())
                .sentence()).append('\n');
        return sb.toString();
    }

    public String line(Diagnostic d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.location()).append(": ");
        sb.append(paint(d.severity())).append(' ').append(d.code());
        if (!d.resource().isEmpty()) {
            sb.append(" [").append(d.resource()).append(']');
        }
        sb.append(' ').append(d.message());
        if (!d.path().isEmpty()) {
            sb.append(" (").append(d.path()).append(')');
        }
        return sb.toString();
    }

    public static String lines(List<Diagnostic> diagnostics) {
        TextRenderer r = new TextRenderer(false, true);
        StringBuilder sb = new StringBuilder();
        diagnostics.forEach(d -> sb.append(r.line(d)).append('\n'));
        return sb.toString();
    }

    private String paint(Severity s) {
        if (!colour) {
            return s.label();
        }
        String code = switch (s) {
            case ERROR -> "\u001b[1;31m";
            case WARNING -> "\u001b[1;33m";
            case INFO -> "\u001b[36m";
        };
        return code + s.label() + "\u001b[0m";
    }
}
