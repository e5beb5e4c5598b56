package dev.meshcd.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiler the admission tests run: meshcd's standard stages. While the semantic validators are not on
 * this branch, a stand-in that checks VirtualService route weights (0..100) is added when the standard
 * validators do not already reject such a weight, so the webhook's deny path is exercised either way.
 */
public final class TestValidators {
    private TestValidators() {
    }

    public static final String BAD_WEIGHT_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: bad-weight
              namespace: default
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
                  weight: 150
            """;

    /** Route weights must be within 0..100 (Istio's rule); reported as IST0106 at the weight. */
    static final ResourceValidator WEIGHT_RANGE = (Resource r, dev.meshcd.compiler.diag.DiagnosticSink sink) -> {
        if (!r.is(Kind.VIRTUAL_SERVICE)) {
            return;
        }
        JsonNode http = r.spec().path("http");
        for (int i = 0; i < http.size(); i++) {
            JsonNode route = http.get(i).path("route");
            for (int j = 0; j < route.size(); j++) {
                JsonNode w = route.get(j).get("weight");
                if (w != null && (w.asInt() < 0 || w.asInt() > 100)) {
                    sink.report(r.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR,
                            FieldPath.ROOT.key("spec").key("http").index(i).key("route").index(j).key("weight"),
                            "weight " + w.asInt() + " is out of range: must be between 0 and 100"));
                }
            }
        }
    };

    public static Compiler compiler() {
        Compiler standard = StandardStages.compiler(CompileOptions.DEFAULT);
        Diagnostics d = new Diagnostics();
        List<Resource> rs = standard.decoder().decode(Reviews.yaml(BAD_WEIGHT_VS), Origin.NONE, d);
        rs.forEach(r -> standard.validate(r, d));
        if (d.hasErrors()) {
            return standard;
        }
        List<ResourceValidator> validators = new ArrayList<>(StandardStages.validators());
        validators.add(WEIGHT_RANGE);
        return new Compiler(CompileOptions.DEFAULT, StandardStages.kinds(), validators, StandardStages.analyzers(),
                StandardStages.filters());
    }
}
