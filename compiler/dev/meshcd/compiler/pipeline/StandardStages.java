package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.List;

/** The stages meshcd runs by default, in order. The one place where stages are wired together. */
public final class StandardStages {
    private StandardStages() {
    }

    public static KindRegistry kinds() {
        return KindRegistry.standard().with(dev.meshcd.compiler.lower.PolicyKinds.infos());
    }

    public static List<ResourceValidator> validators() {
        List<ResourceValidator> v = new ArrayList<>();
        v.add(new dev.meshcd.compiler.lower.PolicySchemaValidator());
        return v;
    }

    public static List<Analyzer> analyzers() {
        List<Analyzer> a = new ArrayList<>();
        a.add(new dev.meshcd.compiler.lower.PolicyAnalyzer());
        return a;
    }

    public static List<DiagnosticFilter> filters() {
        List<DiagnosticFilter> f = new ArrayList<>();
        return f;
    }

    public static Compiler compiler(CompileOptions options) {
        return new Compiler(options, kinds(), validators(), analyzers(), filters());
    }
}
