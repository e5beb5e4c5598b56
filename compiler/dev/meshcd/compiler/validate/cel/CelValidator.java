package dev.meshcd.compiler.validate.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.runtime.CelRuntime;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.validate.ResourceValidator;
import dev.meshcd.compiler.validate.schema.CrdCatalog;
import dev.meshcd.compiler.validate.schema.Defaulting;
import dev.meshcd.compiler.validate.schema.PathStack;
import dev.meshcd.compiler.validate.schema.SchemaNode;
import dev.meshcd.compiler.validate.schema.SchemaValidator;
import dev.meshcd.compiler.validate.schema.StructuralValidator;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stage 3, second step: enforces the CRDs' {@code x-kubernetes-validations} CEL rules, which API servers
 * before Kubernetes 1.25 ignore. Each rule runs at every instance of its schema node (list items, map
 * values, nested objects) with {@code self} bound to that value; a failing rule is one IST0106
 * diagnostic with the rule's message at the node's path (plus the rule's {@code fieldPath}). A rule that
 * cannot be evaluated (a bad duration, an out-of-range substring) is an error too, as in the API server.
 *
 * <p>Transition rules (those reading {@code oldSelf}) run only when an old object is given, through
 * {@link #validate(Resource, Resource, DiagnosticSink)}, as an admission UPDATE does; values are
 * correlated by object field, map key and list-map key.
 */
public final class CelValidator implements ResourceValidator {
    private final KindRegistry registry;
    private final CrdCatalog catalog;
    private final CelRules rules;
    private final Map<SchemaNode, RulePlan> plans = new ConcurrentHashMap<>();

    public CelValidator() {
        this(KindRegistry.standard(), CrdCatalog.standard(), CelRules.shared());
    }

    public CelValidator(KindRegistry registry, CrdCatalog catalog, CelRules rules) {
        this.registry = registry;
        this.catalog = catalog;
        this.rules = rules;
    }

    @Override
    public void validate(Resource resource, DiagnosticSink sink) {
        validate(resource, null, sink);
    }

    /** Validates {@code resource}; {@code old} is the stored object on an update (or null on create). */
    public void validate(Resource resource, Resource old, DiagnosticSink sink) {
        SchemaNode root = SchemaValidator.schemaOf(registry, catalog, resource);
        if (root == null || !root.rulesBelow()) {
            return;
        }
        RulePlan plan = plan(root);
        Walk walk = new Walk(resource, sink);
        // rules see the object as the API server stores it: with its schema defaults
        JsonNode object = Defaulting.apply(root, resource.object());
        JsonNode oldObject = old == null ? null : Defaulting.apply(root, old.object());
        walk.evalRules(plan, object, oldObject);
        for (int i = 0; i < plan.propertyNames.length; i++) {
            String name = plan.propertyNames[i];
            if (name.equals("status") || name.equals("metadata")) {
                continue;
            }
            walk.child(plan.propertyPlans[i], name, object.get(name), oldObject == null ? null : oldObject.get(name));
        }
    }

    private RulePlan plan(SchemaNode root) {
        RulePlan p = plans.get(root);
        return p != null ? p : plans.computeIfAbsent(root, r -> RulePlan.build(r, rules));
    }

    /** Every rule of one schema, compiled (for reports and tests). */
    public List<CompiledRule> compileAll(SchemaNode root) {
        List<CompiledRule> out = new ArrayList<>();
        if (root.rulesBelow()) {
            plan(root).collect(out);
        }
        return out;
    }

    /** One resource's evaluation. */
    private static final class Walk {
        private final Resource resource;
        private final DiagnosticSink sink;
        private final PathStack path = new PathStack();

        Walk(Resource resource, DiagnosticSink sink) {
            this.resource = resource;
            this.sink = sink;
        }

        void child(RulePlan plan, String key, JsonNode value, JsonNode old) {
            if (value == null || value.isNull()) {
                return;
            }
            path.pushKey(key);
            visit(plan, value, old);
            path.pop();
        }

        void visit(RulePlan plan, JsonNode value, JsonNode old) {
            if (!StructuralValidator.typeMatches(plan.schema, value)) {
                return; // the schema validator reports the type error
            }
            if (old != null && !StructuralValidator.typeMatches(plan.schema, old)) {
                old = null;
            }
            evalRules(plan, value, old);
            if (value.isObject()) {
                for (int i = 0; i < plan.propertyNames.length; i++) {
                    String name = plan.propertyNames[i];
                    child(plan.propertyPlans[i], name, value.get(name), old == null ? null : old.get(name));
                }
                if (plan.additional != null) {
                    Iterator<Map.Entry<String, JsonNode>> it = value.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        if (plan.schema.property(e.getKey()) == null) {
                            child(plan.additional, e.getKey(), e.getValue(), old == null ? null : old.get(e.getKey()));
                        }
                    }
                }
            } else if (value.isArray() && plan.items != null) {
                Map<String, JsonNode> oldByKey = oldItemsByKey(plan.schema, old);
                for (int i = 0; i < value.size(); i++) {
                    JsonNode item = value.get(i);
                    if (item == null || item.isNull()) {
                        continue;
                    }
                    path.pushIndex(i);
                    visit(plan.items, item, oldByKey == null ? null : oldByKey.get(listMapKey(plan.schema, item)));
                    path.pop();
                }
            }
        }

        void evalRules(RulePlan plan, JsonNode value, JsonNode old) {
            if (plan.size() == 0) {
                return;
            }
            Object self = null;
            Object oldSelf = null;
            Map<String, Object> vars = null;
            boolean scalar = value.isValueNode();
            for (int i = 0; i < plan.size(); i++) {
                if (plan.transition[i] && old == null) {
                    continue;
                }
                // A rule over a scalar without oldSelf is a pure function of the value: remember outcomes.
                Map<JsonNode, Optional<String>> memo = scalar && !plan.transition[i] ? plan.memo[i] : null;
                if (memo != null) {
                    Optional<String> known = memo.get(value);
                    if (known != null) { // outcome remembered
                        ValidationRule declared = plan.declared[i];
                        known.ifPresent(message -> report(declared, message));
                        continue;
                    }
                }
                CompiledRule rule = plan.rule(i);
                if (!rule.compiled()) {
                    continue; // logged once and caught by the compile test; never blocks a resource
                }
                if (vars == null) {
                    self = CelValues.of(value, plan.schema);
                    if (old != null) {
                        oldSelf = CelValues.of(old, plan.schema);
                        vars = Map.of("self", self, "oldSelf", oldSelf);
                    } else {
                        vars = Map.of("self", self);
                    }
                }
                Optional<String> failure = evaluate(rule, vars);
                if (failure.isPresent() && missingRequired(plan.schema, failure.get())) {
                    continue; // the schema validator reports the missing field: one mistake, one diagnostic
                }
                if (memo != null && memo.size() < RulePlan.MEMO_LIMIT) {
                    memo.put(value, failure);
                }
                failure.ifPresent(message -> report(rule.rule(), message));
            }
        }

        /**
         * Whether a rule failed only because it read a field the schema requires and the value lacks: "key 'x' is
         * not present" where x is required of this node, of its items or of its map values.
         */
        private static boolean missingRequired(SchemaNode schema, String failure) {
            java.util.regex.Matcher m = MISSING_KEY.matcher(failure);
            if (!m.find()) {
                return false;
            }
            String key = m.group(1);
            for (SchemaNode s : new SchemaNode[]{schema, schema.items(), schema.additionalProperties()}) {
                if (s != null && s.required().contains(key)) {
                    return true;
                }
            }
            return false;
        }

        private static final java.util.regex.Pattern MISSING_KEY =
                java.util.regex.Pattern.compile("^rule evaluation error: key '([^']*)' is not present in map");

        /** Runs one rule; returns empty when it holds, else the message to report. */
        private static Optional<String> evaluate(CompiledRule rule, Map<String, Object> vars) {
            Object result;
            try {
                result = rule.program().eval(vars);
            } catch (Exception e) {
                return Optional.of("rule evaluation error: " + evaluationMessage(e) + " (rule: " + oneLine(rule) + ")");
            } catch (StackOverflowError e) {
                return Optional.of("rule evaluation error: expression too deep (rule: " + oneLine(rule) + ")");
            }
            if (Boolean.TRUE.equals(result)) {
                return Optional.empty();
            }
            if (!(result instanceof Boolean)) {
                return Optional.of("rule evaluation error: rule returned " + result + ", not a bool (rule: "
                        + oneLine(rule) + ")");
            }
            return Optional.of(failureMessage(rule, vars));
        }

        private void report(ValidationRule rule, String message) {
            int depth = path.depth();
            String fp = rule.fieldPath();
            if (fp != null) {
                pushFieldPath(fp);
            }
            sink.report(resource.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR, path.toFieldPath(), message));
            while (path.depth() > depth) {
                path.pop();
            }
        }

        /** Parses a rule's fieldPath ({@code .a.b}, {@code ['a.b']}, {@code [0]}) onto the path. */
        private void pushFieldPath(String fp) {
            int i = 0;
            while (i < fp.length()) {
                char c = fp.charAt(i);
                if (c == '.') {
                    int j = i + 1;
                    while (j < fp.length() && fp.charAt(j) != '.' && fp.charAt(j) != '[') {
                        j++;
                    }
                    if (j > i + 1) {
                        path.pushKey(fp.substring(i + 1, j));
                    }
                    i = j;
                } else if (c == '[') {
                    int close = fp.indexOf(']', i);
                    if (close < 0) {
                        return;
                    }
                    String inner = fp.substring(i + 1, close).trim();
                    if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')) {
                        path.pushKey(inner.substring(1, inner.length() - 1));
                    } else {
                        try {
                            path.pushIndex(Integer.parseInt(inner));
                        } catch (NumberFormatException e) {
                            path.pushKey(inner);
                        }
                    }
                    i = close + 1;
                } else {
                    int j = i;
                    while (j < fp.length() && fp.charAt(j) != '.' && fp.charAt(j) != '[') {
                        j++;
                    }
                    path.pushKey(fp.substring(i, j));
                    i = j;
                }
            }
        }

        private static String failureMessage(CompiledRule rule, Map<String, Object> vars) {
            CelRuntime.Program mp = rule.messageProgram();
            if (mp != null) {
                try {
                    Object m = mp.eval(vars);
                    if (m instanceof String s && !s.isBlank() && !s.contains("\n")) {
                        return s;
                    }
                } catch (Exception e) {
                    // Kubernetes falls back to message, then to the rule text.
                }
            }
            if (rule.rule().message() != null) {
                return rule.rule().message();
            }
            return "failed rule: " + oneLine(rule);
        }

        private static String oneLine(CompiledRule rule) {
            return rule.rule().rule().replaceAll("\\s*\\n\\s*", " ");
        }

        private static String evaluationMessage(Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // dev.cel prefixes "evaluation error at <input>:N: "; the offset means nothing to a user.
            m = m.replaceFirst("^evaluation error at <input>:\\d+: ", "").replaceFirst("^evaluation error: ", "");
            return m;
        }

        private static Map<String, JsonNode> oldItemsByKey(SchemaNode list, JsonNode old) {
            if (old == null || !old.isArray() || !"map".equals(list.listType()) || list.listMapKeys().isEmpty()) {
                return null;
            }
            Map<String, JsonNode> out = new HashMap<>();
            for (JsonNode item : old) {
                if (item.isObject()) {
                    out.putIfAbsent(listMapKey(list, item), item);
                }
            }
            return out;
        }

        private static String listMapKey(SchemaNode list, JsonNode item) {
            if (!"map".equals(list.listType())) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            for (String k : list.listMapKeys()) {
                JsonNode v = item.get(k);
                sb.append(v == null ? "" : v.toString()).append('\u0001');
            }
            return sb.toString();
        }
    }
}
