package dev.meshcd.compiler.validate.cel;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.checker.CelStandardDeclarations;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelStandardFunctions;
import dev.meshcd.compiler.validate.schema.SchemaNode;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The CEL environment of CRD validation rules and a cache of compiled rules. {@code self} (and
 * {@code oldSelf}) are typed from the schema node: string, int, double, bool, list(T), map(string, T)
 * for maps, map(string, dyn) for objects with fixed properties, dyn for int-or-string and free-form
 * nodes. A rule is compiled once per (rule text, self type), on first use; thread-safe.
 */
public final class CelRules {
    private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

    static final CelOptions OPTIONS = CelOptions.current()
            .enableRegexPartialMatch(true) // CEL's matches() is a search, as in cel-go
            .enableHeterogeneousNumericComparisons(true) // as the Kubernetes environment
            .build();

    /** A private rule cache (tests); production code uses {@link #shared()}. */
    public CelRules() {
    }

    private final Map<CelType, Cel> environments = new ConcurrentHashMap<>();
    private final Map<String, CompiledRule> compiled = new ConcurrentHashMap<>();

    private static final class Holder {
        static final CelRules INSTANCE = new CelRules();
    }

    /** The shared instance (compiled rules are shared by every validator). */
    public static CelRules shared() {
        return Holder.INSTANCE;
    }

    /** The CEL type of values of a schema node. */
    public static CelType typeOf(SchemaNode s) {
        if (s == null || s.intOrString()) {
            return SimpleType.DYN;
        }
        return switch (s.type()) {
            case STRING -> SimpleType.STRING;
            case INTEGER -> SimpleType.INT;
            case NUMBER -> SimpleType.DOUBLE;
            case BOOLEAN -> SimpleType.BOOL;
            case ARRAY -> ListType.create(typeOf(s.items()));
            case OBJECT -> {
                if (s.properties().isEmpty() && s.additionalProperties() != null) {
                    yield MapType.create(SimpleType.STRING, typeOf(s.additionalProperties()));
                }
                if (s.properties().isEmpty() && s.preserveUnknownFields()) {
                    yield SimpleType.DYN;
                }
                yield MapType.create(SimpleType.STRING, SimpleType.DYN);
            }
            case ANY -> SimpleType.DYN;
        };
    }

    /** How many distinct rules have been compiled so far (CEL is loaded on the first). */
    public int compiledCount() {
        return compiled.size();
    }

    /** Whether a rule reads {@code oldSelf} (a transition rule, evaluated only on updates). */
    public static boolean isTransition(ValidationRule rule) {
        return OLD_SELF.matcher(rule.rule()).find()
                || (rule.messageExpression() != null && OLD_SELF.matcher(rule.messageExpression()).find());
    }

    /** Compiles (or returns the cached compilation of) one rule for the node that carries it. */
    public CompiledRule compile(ValidationRule rule, SchemaNode node) {
        CelType type = typeOf(node);
        String key = type + "\u0000" + rule.rule() + "\u0000" + rule.messageExpression();
        CompiledRule c = compiled.get(key);
        if (c == null) {
            c = compiled.computeIfAbsent(key, k -> doCompile(rule, type));
        }
        // The cache is shared between nodes with equal rules; keep this node's own rule (message, fieldPath).
        return c.rule() == rule ? c : new CompiledRule(rule, c.program(), c.messageProgram(), c.transition(), c.error());
    }

    private CompiledRule doCompile(ValidationRule rule, CelType type) {
        Cel cel = environments.computeIfAbsent(type, CelRules::environment);
        boolean transition = isTransition(rule);
        try {
            CelValidationResult result = cel.compile(rule.rule());
            if (result.hasError()) {
                return CompiledRule.failed(rule, null, transition, result.getErrorString());
            }
            CelAbstractSyntaxTree ast = result.getAst();
            CelKind kind = ast.getResultType().kind();
            if (kind != CelKind.BOOL && kind != CelKind.DYN) {
                return CompiledRule.failed(rule, null, transition,
                        "rule must evaluate to a bool, not " + ast.getResultType().name());
            }
            CelRuntime.Program program = cel.createProgram(ast);
            CelRuntime.Program messageProgram = null;
            if (rule.messageExpression() != null) {
                CelValidationResult m = cel.compile(rule.messageExpression());
                if (m.hasError()) {
                    return CompiledRule.failed(rule, program, transition, "messageExpression: " + m.getErrorString());
                }
                messageProgram = cel.createProgram(m.getAst());
            }
            return CompiledRule.ok(rule, program, messageProgram, transition);
        } catch (Exception e) {
            return CompiledRule.failed(rule, null, transition, String.valueOf(e.getMessage()));
        }
    }

    private static Cel environment(CelType selfType) {
        return CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("self", selfType)
                .addVar("oldSelf", selfType)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), KubernetesCelLibrary.INSTANCE)
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), KubernetesCelLibrary.INSTANCE)
                // matches() with compiled patterns cached, and RE2's meaning of '$' (see RegexCache)
                .setStandardEnvironmentEnabled(false)
                .setStandardDeclarations(CelStandardDeclarations.newBuilder().build())
                .setStandardFunctions(CelStandardFunctions.newBuilder()
                        .excludeFunctions(CelStandardFunctions.StandardFunction.MATCHES).build())
                .addFunctionBindings(
                        CelFunctionBinding.from("matches", String.class, String.class, RegexCache::matches),
                        CelFunctionBinding.from("matches_string", String.class, String.class, RegexCache::matches))
                .build();
    }
}
