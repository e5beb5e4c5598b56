package dev.meshcd.compiler.validate.cel;

import dev.cel.runtime.CelEvaluationException;
import dev.meshcd.compiler.validate.schema.GoRegex;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * CEL's {@code matches()} for CRD rules: an unanchored search (RE2 semantics, as cel-go), with each
 * pattern compiled once instead of on every call. Patterns are rule literals in practice, so the cache
 * stays small; it is bounded all the same.
 */
final class RegexCache {
    private static final int LIMIT = 1024;
    private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

    private RegexCache() {
    }

    static boolean matches(String s, String regex) throws CelEvaluationException {
        Pattern p = CACHE.get(regex);
        if (p == null) {
            try {
                p = Pattern.compile(GoRegex.toJava(regex));
            } catch (PatternSyntaxException e) {
                throw new CelEvaluationException("invalid regular expression: " + e.getDescription());
            }
            if (CACHE.size() < LIMIT) {
                CACHE.put(regex, p);
            }
        }
        return p.matcher(s).find();
    }
}
