package dev.meshcd.compiler.report;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import java.util.List;

/** Counts shared by every renderer. */
public record Summary(int files, int documents, int resources, long errors, long warnings, long infos) {
    public static Summary of(int files, int documents, int resources, List<Diagnostic> diagnostics) {
        long e = diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count();
        long w = diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count();
        long i = diagnostics.stream().filter(d -> d.severity() == Severity.INFO).count();
        return new Summary(files, documents, resources, e, w, i);
    }

    public String sentence() {
        return String.format("%d error%s, %d warning%s, %d info in %d resource%s from %d file%s",
                errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", infos,
                resources, resources == 1 ? "" : "s", files, files == 1 ? "" : "s");
    }
}
