package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ServiceEntries giving one host and port different protocols where they are visible together (IST0177
 * ConflictingServiceEntryProtocol), as istio's serviceentry.ConflictingServiceEntryProtocolAnalyzer keys them: by
 * export scope (each {@code exportTo} namespace, {@code .} as the own one; {@code *} or none: everywhere), host and
 * port, a namespace's scope also seeing the ServiceEntries exported everywhere. Each ServiceEntry is reported once,
 * with the first conflict among its hosts, ports and scopes (Istio's choice is its map order).
 */
public final class ServiceEntryProtocolConflictAnalyzer extends SubjectAnalyzer {
    private static final String ALL = "*";

    public ServiceEntryProtocolConflictAnalyzer() {
        super(Kind.SERVICE_ENTRY);
    }

    @Override
    public String name() {
        return "serviceentry.protocolconflicts";
    }

    private record Entry(String protocol, Resource se) {
    }

    @Override
    protected void check(MeshIndex index, Resource se, DiagnosticSink sink) {
        JsonNode ports = se.spec().path("ports");
        for (JsonNode h : se.spec().path("hosts")) {
            String host = h.asText("");
            List<Resource> sharing = sharingHost(index, host);
            if (sharing.size() < 2) {
                continue;
            }
            for (JsonNode p : ports) {
                int port = p.path("number").asInt();
                // scope -> entries for this host and port, over every ServiceEntry naming them
                Map<String, List<Entry>> byScope = new TreeMap<>();
                for (Resource other : sharing) {
                    for (JsonNode op : other.spec().path("ports")) {
                        if (op.path("number").asInt() == port) {
                            for (String scope : scopes(other)) {
                                byScope.computeIfAbsent(scope, k -> new ArrayList<>())
                                        .add(new Entry(op.path("protocol").asText(""), other));
                            }
                        }
                    }
                }
                List<Entry> all = byScope.getOrDefault(ALL, List.of());
                for (Map.Entry<String, List<Entry>> e : byScope.entrySet()) {
                    List<Entry> entries = new ArrayList<>(e.getValue());
                    if (!e.getKey().equals(ALL)) {
                        entries.addAll(all);
                    }
                    if (entries.stream().noneMatch(x -> x.se().key().equals(se.key()))) {
                        continue; // a conflict of others: reported on them
                    }
                    Set<String> protocols = new TreeSet<>();
                    entries.forEach(x -> protocols.add(x.protocol().toUpperCase(Locale.ROOT)));
                    if (protocols.size() < 2) {
                        continue;
                    }
                    Set<String> names = new TreeSet<>();
                    entries.forEach(x -> names.add(x.se().key().namespacedName()));
                    Messages.report(sink, se, "IST0177", FieldPath.of("metadata", "name"), String.join(", ", names),
                            host, port, String.join(", ", protocols));
                    return;
                }
            }
        }
    }

    /** The ServiceEntries (this one included) naming {@code host} as written. */
    private static List<Resource> sharingHost(MeshIndex index, String host) {
        Map<ResourceKey, Resource> out = new LinkedHashMap<>();
        for (MeshService s : index.servicesForHost(host.toLowerCase(Locale.ROOT))) {
            Resource r = s.resource();
            if (s.fromServiceEntry() && r != null && r.is(Kind.SERVICE_ENTRY)) {
                for (JsonNode h : r.spec().path("hosts")) {
                    if (h.asText("").equals(host)) {
                        out.put(r.key(), r);
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static Set<String> scopes(Resource se) {
        JsonNode exportTo = se.spec().path("exportTo");
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode e : exportTo) {
            String v = e.asText("");
            if (v.equals(ALL)) {
                return Set.of(ALL);
            }
            out.add(v.equals(".") ? se.namespace() : v);
        }
        return out.isEmpty() ? Set.of(ALL) : out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.SERVICE_ENTRY);
    }

    /** Other ServiceEntries' findings read this one's hosts, port numbers and protocols and its scopes. */
    @Override
    public Object observed(Resource r) {
        if (!r.is(Kind.SERVICE_ENTRY)) {
            return null;
        }
        List<String> ports = new ArrayList<>();
        r.spec().path("ports").forEach(p -> ports.add(p.path("number").asInt() + "/" + p.path("protocol").asText("")));
        return List.of(r.spec().path("hosts"), ports, scopes(r));
    }

    /** The ServiceEntries sharing a host with it, before and after. */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Set<ResourceKey> out = new LinkedHashSet<>();
        for (Resource r : new Resource[] {before, after}) {
            if (r == null) {
                continue;
            }
            for (JsonNode h : r.spec().path("hosts")) {
                for (MeshIndex index : new MeshIndex[] {beforeIndex, afterIndex}) {
                    sharingHost(index, h.asText("")).forEach(s -> out.add(s.key()));
                }
            }
        }
        return out;
    }
}
