package dev.meshcd.compiler.validate.cel;

import dev.meshcd.compiler.validate.schema.SchemaNode;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a schema that carries CEL rules: the compiled rules of each node and the children that
 * lead to more rules. Built once per root schema, so evaluation visits only the fields that can have
 * rules and never recompiles.
 */
final class RulePlan {
    final SchemaNode schema;
    final CompiledRule[] rules;
    /** Children with rules at or below them: named properties. */
    final String[] propertyNames;
    final RulePlan[] propertyPlans;
    /** Plan for additionalProperties values (map values), or null. */
    final RulePlan additional;
    /** Plan for list items, or null. */
    final RulePlan items;

    private RulePlan(SchemaNode schema, CelRules rules) {
        this.schema = schema;
        List<CompiledRule> compiled = new ArrayList<>();
        for (ValidationRule r : schema.rules()) {
            compiled.add(rules.compile(r, schema));
        }
        this.rules = compiled.toArray(new CompiledRule[0]);
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

    static RulePlan build(SchemaNode root, CelRules rules) {
        return new RulePlan(root, rules);
    }

    void collect(List<CompiledRule> out) {
        for (CompiledRule r : rules) {
            out.add(r);
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
