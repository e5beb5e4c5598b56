package dev.meshcd.compiler.validate.cel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.validate.schema.CrdCatalog;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CelRulesCompileTest {
    @Test
    void everyRuleOfTheIstioCrdsCompiles() {
        CelRules rules = new CelRules();
        CelValidator validator = new CelValidator(KindRegistry.standard(), CrdCatalog.istio(), rules);
        int total = 0;
        int compiled = 0;
        int transition = 0;
        List<String> failures = new ArrayList<>();
        for (CrdCatalog.Crd crd : CrdCatalog.istio().all()) {
            for (CrdCatalog.Version v : crd.versions().values()) {
                List<ValidationRule> declared = new ArrayList<>();
                v.schema().collectRules(declared);
                List<CompiledRule> all = validator.compileAll(v.schema());
                assertThat(all).hasSameSizeAs(declared);
                for (CompiledRule r : all) {
                    total++;
                    if (r.compiled()) {
                        compiled++;
                    } else {
                        failures.add(crd.kind() + "/" + v.name() + ": " + r.rule().rule() + ": " + r.error().orElse(""));
                    }
                    if (r.transition()) {
                        transition++;
                    }
                }
            }
        }
        System.out.printf("CEL rules compiled: %d/%d (%d transition rules)%n", compiled, total, transition);
        assertThat(failures).isEmpty();
        assertThat(total).isEqualTo(398);
    }
}
