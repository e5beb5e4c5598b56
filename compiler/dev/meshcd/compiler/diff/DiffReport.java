package dev.meshcd.compiler.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What changed between two versions of a mesh: Istio resources added, removed or changed (with a
 * unified YAML diff each) and, per proxy, the change in effective routing in words.
 */
public record DiffReport(List<ResourceChange> resources, Map<String, List<String>> proxies) {

    public enum Change { ADDED, REMOVED, CHANGED }

    /** One Istio resource that differs; {@code diff} is a unified diff of its YAML. */
    public record ResourceChange(Change change, String resource, String path, String diff) {
    }

    public boolean isEmpty() {
        return resources.isEmpty() && proxies.isEmpty();
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        if (isEmpty()) {
            return "no changes\n";
        }
        if (!resources.isEmpty()) {
            b.append("Istio resources:\n");
            for (ResourceChange c : resources) {
                b.append("  ").append(symbol(c.change())).append(' ').append(c.resource()).append('\n');
            }
            for (ResourceChange c : resources) {
                if (c.change() == Change.CHANGED) {
                    b.append('\n').append(c.diff());
                }
            }
        }
        if (!proxies.isEmpty()) {
            b.append(resources.isEmpty() ? "" : "\n").append("Effective routing:\n");
            proxies.forEach((proxy, changes) -> {
                b.append("  ").append(proxy).append(":\n");
                changes.forEach(c -> b.append("    - ").append(c).append('\n'));
            });
        }
        return b.toString();
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder("## meshcd diff\n\n");
        if (isEmpty()) {
            return b.append("No changes.\n").toString();
        }
        if (!resources.isEmpty()) {
            b.append("### Istio resources\n\n| change | resource |\n| --- | --- |\n");
            for (ResourceChange c : resources) {
                b.append("| ").append(c.change().name().toLowerCase(java.util.Locale.ROOT)).append(" | `")
                        .append(c.resource()).append("` |\n");
            }
            for (ResourceChange c : resources) {
                if (c.change() == Change.CHANGED) {
                    b.append("\n<details><summary>").append(c.resource()).append("</summary>\n\n```diff\n")
                            .append(c.diff()).append("```\n\n</details>\n");
                }
            }
            b.append('\n');
        }
        if (!proxies.isEmpty()) {
            b.append("### Effective routing\n\n");
            proxies.forEach((proxy, changes) -> {
                b.append("**").append(proxy).append("**\n\n");
                changes.forEach(c -> b.append("- ").append(c.replace("|", "\\|")).append('\n'));
                b.append('\n');
            });
        }
        return b.toString();
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        ArrayNode rs = o.putArray("resources");
        for (ResourceChange c : resources) {
            ObjectNode r = rs.addObject().put("change", c.change().name().toLowerCase(java.util.Locale.ROOT))
                    .put("resource", c.resource()).put("path", c.path());
            if (c.diff() != null) {
                r.put("diff", c.diff());
            }
        }
        ObjectNode ps = o.putObject("proxies");
        proxies.forEach((proxy, changes) -> {
            ArrayNode a = ps.putArray(proxy);
            changes.forEach(a::add);
        });
        return o;
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static char symbol(Change c) {
        return switch (c) {
            case ADDED -> '+';
            case REMOVED -> '-';
            case CHANGED -> '~';
        };
    }
}
