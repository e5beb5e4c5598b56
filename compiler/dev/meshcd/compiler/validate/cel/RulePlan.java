package dev.meshcd.compiler.validate.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.validate.schema.SchemaNode;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a schema that carries CEL rules: the compiled rules of each node and the children that
 * lead to more rules. Built once per root schema, so evaluation visits only the fields that can have
 * rules; each rule is compiled when it is first evaluated (a repo that never sets a field with a rule
 * never loads CEL at all).
 */
final class RulePlan {
    private static final Logger LOG = LoggerFactory.getLogger(RulePlan.class);
    final SchemaNode schema;
    private final CelRules celRules;
    /** The node's rules as declared, and whether each reads oldSelf. */
    final ValidationRule[] declared;
    final boolean[] transition;
    /** Compiled on first evaluation (benign race: compilation is cached and CompiledRule immutable). */
    private final CompiledRule[] compiled;
    /**
     * Per rule, outcomes by scalar value (empty when the rule holds, else the message): a rule over a
     * string or number without oldSelf depends on nothing else, and mesh config repeats its values.
     */
    final Map<JsonNode, Optional<String>>[] memo;
    static final int MEMO_LIMIT = 4096;
    /** Children with rules at or below them: named properties. */
    final String[] propertyNames;
    final RulePlan[] propertyPlans;
    /** Plan for additionalProperties values (map values), or null. */
    final RulePlan additional;
    /** Plan for list items, or null. */
    final RulePlan items;

    private RulePlan(SchemaNode schema, CelRules rules) {
        this.schema = schema;
        this.celRules = rules;
        this.declared = schema.rules().toArray(new ValidationRule[0]);
        this.transition = new boolean[declared.length];
        for (int i = 0; i < declared.length; i++) {
            transition[i] = CelRules.isTransition(declared[i]);
        }
        this.compiled = new CompiledRule[declared.length];
        @SuppressWarnings("unchecked")
        Map<JsonNode, Optional<String>>[] m = new Map[declared.length];
        boolean scalar = switch (schema.type()) {
            case STRING, INTEGER, NUMBER, BOOLEAN -> true;
            default -> schema.intOrString();
        };
        for (int i = 0; i < m.length; i++) {
            m[i] = scalar ? new ConcurrentHashMap<>() : null;
        }
        this.memo = m;
        Map<String, RulePlan> props = new LinkedHashMap<>();
        for (Map.Entry<String, SchemaNode> e : schema.properties().entrySet()) {
            if (e.getValue().rulesBelow()) {
                props.put(e.getKey(), new RulePlan(e.getValue(), rules));
            }
        }
        this.propertyNames = props.keySet().toArray(new String[0]);
        this.propertyPlans = props.values().toArray(new RulePlan[0]);
        SchemaNode ap = schema.additionalProperties();
        this.additional = ap != null && ap.rulesBelow() ? new RulePlan(ap, rules) : null;
        SchemaNode it = schema.items();
        this.items = it != null && it.rulesBelow() ? new RulePlan(it, rules) : null;
    }

    int size() {
        return declared.length;
    }

    /** The compiled rule {@code i}, compiling it on first use. */
    CompiledRule rule(int i) {
        CompiledRule c = compiled[i];
        if (c == null) {
            c = celRules.compile(declared[i], schema);
            if (!c.compiled()) {
                LOG.warn("CRD rule does not compile and is not enforced: {}: {}", declared[i].rule(), c.error().orElse(""));
            }
            compiled[i] = c;
        }
        return c;
    }

    static RulePlan build(SchemaNode root, CelRules rules) {
        return new RulePlan(root, rules);
    }

    void collect(List<CompiledRule> out) {
        for (int i = 0; i < declared.length; i++) {
            out.add(rule(i));
        }
        for (RulePlan p : propertyPlans) {
            p.collect(out);
        }
        if (additional != null) {
            additional.collect(out);
        }
        if (items != null) {
            items.collect(out);
        }
    }
}
