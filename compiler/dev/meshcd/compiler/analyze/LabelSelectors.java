package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Kubernetes {@code LabelSelector}s ({@code matchLabels} and {@code matchExpressions}) as Istio's analyzers match
 * them: an absent selector matches everything; one that does not convert (an unknown operator, values where none
 * belong) matches nothing.
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    public static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return true;
        }
        if (!selector.isObject()) {
            return false;
        }
        for (java.util.Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode ex : selector.path("matchExpressions")) {
            String key = ex.path("key").asText();
            JsonNode values = ex.path("values");
            String value = labels.get(key);
            boolean in = false;
            for (JsonNode v : values) {
                in |= v.asText().equals(value);
            }
            switch (ex.path("operator").asText()) {
                case "In" -> {
                    if (values.isEmpty() || value == null || !in) {
                        return false;
                    }
                }
                case "NotIn" -> {
                    if (values.isEmpty()) {
                        return false;
                    }
                    if (value != null && in) {
                        return false;
                    }
                }
                case "Exists" -> {
                    if (!values.isEmpty() || value == null) {
                        return false;
                    }
                }
                case "DoesNotExist" -> {
                    if (!values.isEmpty() || value != null) {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }
}
