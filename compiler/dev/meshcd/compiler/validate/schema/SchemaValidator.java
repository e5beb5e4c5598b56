package dev.meshcd.compiler.validate.schema;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.Comparator;
import java.util.Optional;

/**
 * Stage 3, first step: checks an Istio resource against the {@code openAPIV3Schema} of its CRD version
 * (types, enums, required fields, formats, bounds, int-or-string, oneOf/anyOf/not) and rejects fields
 * the schema does not describe, as istiod's strict decoding does. Each problem is one IST0106
 * diagnostic at the path of the bad field; a version its CRD marks deprecated is one MCD1016 warning. Resources of
 * other roles are left alone.
 */
public final class SchemaValidator implements ResourceValidator {
    private final KindRegistry registry;
    private final CrdCatalog catalog;

    public SchemaValidator() {
        this(KindRegistry.standard(), CrdCatalog.standard());
    }

    public SchemaValidator(KindRegistry registry, CrdCatalog catalog) {
        this.registry = registry;
        this.catalog = catalog;
    }

    @Override
    public void validate(Resource resource, DiagnosticSink sink) {
        SchemaNode root = schemaOf(registry, catalog, resource);
        if (root == null) {
            return;
        }
        deprecation(resource).ifPresent(message -> sink.report(resource.diagnostic(Severity.WARNING,
                Codes.DEPRECATED_VERSION, FieldPath.of("apiVersion"), message)));
        StructuralValidator.validateResource(root, resource.object(), (path, message) -> sink.report(
                resource.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR, path.toFieldPath(), message)));
    }

    /**
     * What the API server would warn about a resource in a version its CRD marks deprecated (still served):
     * the version to move to, the storage version or else the first served one not deprecated.
     */
    private Optional<String> deprecation(Resource resource) {
        CrdCatalog.Crd crd = catalog.crd(resource.kind()).orElse(null);
        CrdCatalog.Version version = crd == null ? null : crd.version(resource.version()).orElse(null);
        if (version == null || !version.deprecated()) {
            return Optional.empty();
        }
        String group = resource.key().group();
        String instead = crd.versions().values().stream().filter(v -> v.served() && !v.deprecated())
                .sorted(Comparator.comparing((CrdCatalog.Version v) -> !v.storage()).thenComparing(CrdCatalog.Version::name))
                .map(v -> "; use " + group + "/" + v.name()).findFirst().orElse("");
        return Optional.of(group + "/" + resource.version() + " " + resource.key().kind() + " is deprecated" + instead);
    }

    /** The root schema for an Istio-role resource's version, or null when it has none. */
    public static SchemaNode schemaOf(KindRegistry registry, CrdCatalog catalog, Resource resource) {
        KindInfo info = registry.lookup(resource.kind()).orElse(null);
        if (info == null || info.role() != KindInfo.Role.ISTIO) {
            return null;
        }
        return catalog.schema(resource.key().group(), resource.key().kind(), resource.version());
    }
}
