package dev.meshcd.compiler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.load.DocumentOrigin;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * meshcd.yaml's {@code external:}: what lives outside the repository, declared by hand. Each entry becomes the
 * object it stands for (a Service, a ServiceEntry, a Gateway, a Namespace) whose origin is the entry's line in
 * meshcd.yaml, so the rest of meshcd treats declared and discovered context alike. Problems are reported through
 * {@code error} (MCD9001) and the entry is skipped.
 */
final class ExternalDeclarations {
    private static final Set<String> SECTIONS = Set.of("services", "hosts", "gateways", "namespaces");
    private static final Set<String> SERVICE = Set.of("name", "namespace", "ports");
    private static final Set<String> HOST = Set.of("host", "namespace", "ports");
    private static final Set<String> GATEWAY = Set.of("name", "namespace", "selector", "servers");
    private static final Set<String> NAMESPACE = Set.of("name", "labels");
    private static final Set<String> PORT = Set.of("number", "name", "protocol");
    private static final Set<String> L4 = Set.of("TCP", "UDP", "SCTP");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ParsedFile parsed;
    private final int doc;
    private final String defaultNamespace;
    private final BiConsumer<FieldPath, String> error;
    private final List<Resource> out = new ArrayList<>();

    ExternalDeclarations(ParsedFile parsed, int doc, String defaultNamespace, BiConsumer<FieldPath, String> error) {
        this.parsed = parsed;
        this.doc = doc;
        this.defaultNamespace = defaultNamespace;
        this.error = error;
    }

    List<Resource> read(JsonNode external) {
        FieldPath at = FieldPath.of("external");
        if (external == null || external.isNull()) {
            return List.of();
        }
        if (!external.isObject()) {
            error.accept(at, "external must be a mapping with services, hosts, gateways or namespaces");
            return List.of();
        }
        unknownKeys(external, at, SECTIONS);
        entries(external, at, "services", this::service);
        entries(external, at, "hosts", this::host);
        entries(external, at, "gateways", this::gateway);
        entries(external, at, "namespaces", this::namespace);
        return List.copyOf(out);
    }

    private interface Entry {
        void read(JsonNode node, FieldPath path);
    }

    private void entries(JsonNode external, FieldPath at, String section, Entry entry) {
        JsonNode list = external.get(section);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            error.accept(at.key(section), "external." + section + " must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            FieldPath p = at.key(section).index(i);
            if (!list.get(i).isObject()) {
                error.accept(p, "external." + section + " entries must be mappings");
            } else {
                entry.read(list.get(i), p);
            }
        }
    }

    /** A Kubernetes Service: name, namespace, ports. */
    private void service(JsonNode node, FieldPath path) {
        unknownKeys(node, path, SERVICE);
        String name = label(node, path, "name", true);
        String ns = label(node, path, "namespace", true);
        ArrayNode ports = ports(node, path, true);
        if (name == null || ns == null || ports == null) {
            return;
        }
        ArrayNode servicePorts = F.arrayNode();
        for (JsonNode p : ports) {
            ObjectNode sp = servicePorts.addObject();
            if (p.has("name")) {
                sp.put("name", p.get("name").asText());
            }
            sp.put("port", p.get("number").asInt());
            String protocol = p.path("protocol").asText("TCP").toUpperCase(Locale.ROOT);
            if (L4.contains(protocol)) {
                sp.put("protocol", protocol);
            } else {
                sp.put("protocol", "TCP");
                sp.put("appProtocol", protocol.toLowerCase(Locale.ROOT));
            }
        }
        ObjectNode obj = object("v1", "Service", name, ns);
        obj.putObject("spec").set("ports", servicePorts);
        add("", "Service", name, ns, obj, path);
    }

    /** A host outside Kubernetes (a ServiceEntry), in the default namespace unless one is given. */
    private void host(JsonNode node, FieldPath path) {
        unknownKeys(node, path, HOST);
        JsonNode h = node.get("host");
        String host = h == null || !h.isTextual() ? null : h.asText().toLowerCase(Locale.ROOT);
        if (host == null || !HOSTNAME.matcher(host).matches()) {
            error.accept(h == null ? path : path.key("host"), "a host needs host: a DNS name (e.g. api.example.com)");
            return;
        }
        String ns = node.has("namespace") ? label(node, path, "namespace", true) : defaultNamespace;
        ArrayNode ports = ports(node, path, true);
        if (ns == null || ports == null) {
            return;
        }
        String name = ("external-" + host.replace("*", "wildcard")).replace('.', '-');
        name = name.length() > 253 ? name.substring(0, 253) : name;
        ObjectNode obj = object("networking.istio.io/v1", "ServiceEntry", name, ns);
        ObjectNode spec = obj.putObject("spec");
        spec.putArray("hosts").add(host);
        ArrayNode seports = spec.putArray("ports");
        for (JsonNode p : ports) {
            ObjectNode sp = seports.addObject();
            sp.put("number", p.get("number").asInt());
            sp.put("name", p.path("name").asText("port-" + p.get("number").asInt()));
            sp.put("protocol", p.path("protocol").asText("TCP").toUpperCase(Locale.ROOT));
        }
        spec.put("location", "MESH_EXTERNAL");
        spec.put("resolution", host.startsWith("*") ? "NONE" : "DNS");
        add("networking.istio.io", "ServiceEntry", name, ns, obj, path);
    }

    /**
     * An Istio Gateway: "namespace/name" (or name and namespace), optionally its selector and servers as a
     * Gateway spells them. Without servers it is taken to serve every host on port 80, so that binding a
     * VirtualService to it is never reported as a mismatch meshcd cannot judge.
     */
    private void gateway(JsonNode node, FieldPath path) {
        unknownKeys(node, path, GATEWAY);
        JsonNode n = node.get("name");
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            error.accept(path, "a gateway needs name: namespace/name");
            return;
        }
        String name = n.asText();
        String ns = null;
        int slash = name.indexOf('/');
        if (slash >= 0) {
            ns = name.substring(0, slash);
            name = name.substring(slash + 1);
            if (node.has("namespace")) {
                error.accept(path.key("namespace"), "the gateway's namespace is given twice (name: namespace/name)");
                return;
            }
        } else {
            ns = label(node, path, "namespace", true);
            if (ns == null) {
                return;
            }
        }
        if (!DNS_LABEL.matcher(ns).matches() || !HOSTNAME.matcher(name).matches() || name.startsWith("*")) {
            error.accept(path.key("name"), "gateway \"" + n.asText() + "\" is not namespace/name");
            return;
        }
        ObjectNode obj = object("networking.istio.io/v1", "Gateway", name, ns);
        ObjectNode spec = obj.putObject("spec");
        JsonNode selector = node.get("selector");
        if (selector != null && !selector.isNull()) {
            if (!selector.isObject()) {
                error.accept(path.key("selector"), "selector must be a map of labels");
                return;
            }
            spec.set("selector", selector.deepCopy());
        }
        JsonNode servers = node.get("servers");
        if (servers != null && !servers.isNull()) {
            if (!servers.isArray() || servers.isEmpty()) {
                error.accept(path.key("servers"), "servers must be a non-empty list of Gateway servers");
                return;
            }
            spec.set("servers", servers.deepCopy());
        } else {
            ObjectNode server = spec.putArray("servers").addObject();
            ObjectNode port = server.putObject("port");
            port.put("number", 80);
            port.put("name", "http");
            port.put("protocol", "HTTP");
            server.putArray("hosts").add("*/*");
        }
        add("networking.istio.io", "Gateway", name, ns, obj, path);
    }

    /** A Namespace, with its labels (istio-injection, istio.io/rev). */
    private void namespace(JsonNode node, FieldPath path) {
        unknownKeys(node, path, NAMESPACE);
        String name = label(node, path, "name", true);
        if (name == null) {
            return;
        }
        ObjectNode obj = object("v1", "Namespace", name, "");
        JsonNode labels = node.get("labels");
        if (labels != null && !labels.isNull()) {
            if (!labels.isObject()) {
                error.accept(path.key("labels"), "labels must be a map of strings");
                return;
            }
            ObjectNode l = ((ObjectNode) obj.get("metadata")).putObject("labels");
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error.accept(path.key("labels").key(e.getKey()), "labels values must be strings");
                    return;
                }
                l.put(e.getKey(), e.getValue().asText());
            }
        }
        add("", "Namespace", name, "", obj, path);
    }

    /** Ports: number (1-65535), optional name and protocol. Null (reported) when missing or bad. */
    private ArrayNode ports(JsonNode node, FieldPath path, boolean required) {
        JsonNode ports = node.get("ports");
        if (ports == null || ports.isNull()) {
            if (required) {
                error.accept(path, "ports is required: a list of {number, name, protocol}");
            }
            return null;
        }
        if (!ports.isArray() || ports.isEmpty()) {
            error.accept(path.key("ports"), "ports must be a non-empty list of {number, name, protocol}");
            return null;
        }
        boolean ok = true;
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            FieldPath pp = path.key("ports").index(i);
            if (!p.isObject()) {
                error.accept(pp, "a port must be a mapping with number, name and protocol");
                ok = false;
                continue;
            }
            unknownKeys(p, pp, PORT);
            JsonNode number = p.get("number");
            if (number == null || !number.canConvertToInt() || !number.isIntegralNumber()
                    || number.asInt() < 1 || number.asInt() > 65535) {
                error.accept(number == null ? pp : pp.key("number"), "port number must be an integer from 1 to 65535");
                ok = false;
            }
            for (String k : List.of("name", "protocol")) {
                if (p.has(k) && !p.get(k).isTextual()) {
                    error.accept(pp.key(k), k + " must be a string");
                    ok = false;
                }
            }
        }
        return ok ? (ArrayNode) ports : null;
    }

    private String label(JsonNode node, FieldPath path, String key, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                error.accept(path, key + " is required");
            }
            return null;
        }
        if (!v.isTextual() || !DNS_LABEL.matcher(v.asText()).matches()) {
            error.accept(path.key(key), key + " \"" + v.asText() + "\" is not a valid name (a DNS-1123 label)");
            return null;
        }
        return v.asText();
    }

    private void unknownKeys(JsonNode node, FieldPath path, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                error.accept(path.key(k), "unknown field \"" + k + "\" in meshcd config; known: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    private static ObjectNode object(String apiVersion, String kind, String name, String namespace) {
        ObjectNode obj = F.objectNode();
        obj.put("apiVersion", apiVersion);
        obj.put("kind", kind);
        ObjectNode meta = obj.putObject("metadata");
        meta.put("name", name);
        if (!namespace.isEmpty()) {
            meta.put("namespace", namespace);
        }
        return obj;
    }

    private void add(String group, String kind, String name, String ns, ObjectNode obj, FieldPath path) {
        out.add(new Resource(obj.get("apiVersion").asText(), new ResourceKey(group, kind, ns, name), obj,
                new DocumentOrigin(parsed, doc, path)));
    }
}
