package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.HashMap;
import java.util.Map;

/**
 * Rules that can never be used (IST0130 VirtualServiceUnreachableRule): a rule after one without
 * matches, or a rule whose every match appeared in an earlier rule; and single matches that repeat
 * an earlier one (IST0131 VirtualServiceIneffectiveMatch). Istio runs the same check in its
 * validation (analyzeUnreachableHTTPRules and the TCP/TLS variants).
 */
public final class VirtualServiceUnreachableRulesAnalyzer extends SubjectAnalyzer {
    public VirtualServiceUnreachableRulesAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public String name() {
        return "virtualservice.unreachablerules";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        for (String section : new String[] {"http", "tcp", "tls"}) {
            check(vs, section, sink);
        }
    }

    private static void check(Resource vs, String section, DiagnosticSink sink) {
        JsonNode rules = vs.spec().path(section);
        Map<JsonNode, Integer> seen = new HashMap<>();
        int catchAll = -1;
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.path(i);
            FieldPath path = FieldPath.of("spec", section, i);
            if (catchAll >= 0) {
                Messages.report(sink, vs, "IST0130", path, ruleName(rule, i), "only the last rule can have no matches");
                continue;
            }
            JsonNode matches = rule.path("match");
            if (!matches.isArray() || matches.isEmpty()) {
                catchAll = i;
                continue;
            }
            int duplicates = 0;
            for (int j = 0; j < matches.size(); j++) {
                JsonNode match = withoutName(matches.path(j));
                Integer earlier = seen.get(match);
                if (earlier != null && earlier != i) {
                    duplicates++;
                    Messages.report(sink, vs, "IST0131", path.key("match").index(j), ruleName(rule, i),
                            matchName(matches.path(j), j), ruleName(rules.path(earlier), earlier));
                } else if (earlier == null) {
                    seen.put(match, i);
                }
            }
            if (duplicates == matches.size()) {
                Messages.report(sink, vs, "IST0130", path, ruleName(rule, i), "all matches used by prior rules");
            }
        }
    }

    private static JsonNode withoutName(JsonNode match) {
        if (match instanceof ObjectNode o && o.has("name")) {
            ObjectNode copy = o.deepCopy();
            copy.remove("name");
            return copy;
        }
        return match;
    }

    private static String ruleName(JsonNode rule, int i) {
        String n = rule.path("name").asText("");
        return n.isEmpty() ? "#" + i : n;
    }

    private static String matchName(JsonNode match, int j) {
        String n = match.path("name").asText("");
        return n.isEmpty() ? "#" + j : n;
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of();
    }
}
