package dev.meshcd.admission.inject;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes {@code metav1.LabelSelector} ({@code matchLabels} and {@code matchExpressions} with
 * In/NotIn/Exists/DoesNotExist), as the injector config's {@code neverInjectSelector} and
 * {@code alwaysInjectSelector} hold them. Requirements are ANDed; a selector without any matches nothing
 * (Istio skips empty selectors).
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /** One {@code matchExpressions} entry; {@code values} is empty for Exists/DoesNotExist. */
    public record Requirement(String key, String operator, List<String> values) {
        public static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

        public Requirement {
            values = List.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
        }
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** Whether {@code labels} satisfy every requirement; an empty selector matches nothing. */
    public boolean matches(Map<String, String> labels) {
        if (isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
