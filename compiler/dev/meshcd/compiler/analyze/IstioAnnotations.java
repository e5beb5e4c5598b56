package dev.meshcd.compiler.analyze;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's catalogue of resource annotations (istio/api {@code annotation.AllResourceAnnotations()}): name, feature
 * status, deprecation and the resource types each attaches to. Read from {@code istio-annotations.tsv}, which
 * {@code scripts/gen-istio-annotations.py} generates from {@code annotations.gen.go} (its header names the version).
 */
public final class IstioAnnotations {
    /** One annotation; {@code resources} as Istio lists them ("Pod", "Service", "Any", ...). */
    public record Annotation(String name, String featureStatus, boolean deprecated, List<String> resources) {
        public boolean alpha() {
            return featureStatus.equals("Alpha");
        }

        public boolean attachesToAny() {
            return resources.contains("Any");
        }
    }

    private static final String RESOURCE = "istio-annotations.tsv";
    private static final Map<String, Annotation> BY_NAME = load();

    private IstioAnnotations() {
    }

    public static Optional<Annotation> lookup(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Map<String, Annotation> all() {
        return BY_NAME;
    }

    /**
     * True for annotations in Istio's namespace (the domain part ends in istio.io) and the one Kubernetes annotation
     * Istio documents, {@code kubernetes.io/ingress.class}: those Istio's annotation analyzers look at.
     */
    public static boolean isIstios(String annotation) {
        if (annotation.equals("kubernetes.io/ingress.class")) {
            return true;
        }
        int slash = annotation.indexOf('/');
        return (slash < 0 ? annotation : annotation.substring(0, slash)).endsWith("istio.io");
    }

    private static Map<String, Annotation> load() {
        Map<String, Annotation> out = new LinkedHashMap<>();
        try (InputStream in = IstioAnnotations.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                List<String> resources = new ArrayList<>();
                for (String t : f[3].split(",")) {
                    if (!t.isEmpty()) {
                        resources.add(t);
                    }
                }
                out.put(f[0], new Annotation(f[0], f[1], Boolean.parseBoolean(f[2]),
                        Collections.unmodifiableList(resources)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(out);
    }
}
