package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;

/**
 * The workload checks {@code istioctl validate} adds on top of istiod's: Service ports must say their
 * protocol (by appProtocol or a name prefix, UDP excepted), and Deployments should carry the
 * canonical-service labels. meshcd reports both as warnings (istioctl fails on the Service checks;
 * they are advice, not admission rules). Objects in the Istio root namespace are skipped, as istioctl does.
 */
public final class IstioctlExtrasValidator implements ResourceValidator {
    private final String rootNamespace;

    public IstioctlExtrasValidator(String rootNamespace) {
        this.rootNamespace = rootNamespace;
    }

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (r.namespace().equals(rootNamespace)) {
            return;
        }
        if (r.is(Kind.SERVICE)) {
            servicePorts(new Findings(r, sink), r);
        } else if (r.is(Kind.DEPLOYMENT)) {
            deploymentLabels(new Findings(r, sink), r);
        }
    }

    private static void servicePorts(Findings f, Resource r) {
        JsonNode ports = list(r.spec(), "ports");
        String svc = r.name() + "/" + r.namespace();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            FieldPath pp = FieldPath.of("spec", "ports").index(i);
            if ("UDP".equalsIgnoreCase(text(p, "protocol"))) {
                continue;
            }
            JsonNode app = get(p, "appProtocol");
            if (app != null) {
                if (Checks.protocol(app.asText()) == null) {
                    f.warn(ValidationWarning.APP_PROTOCOL_NOT_ISTIO, pp.key("appProtocol"),
                            "service \"" + svc + "\" doesn't follow Istio protocol selection. "
                            + "This is not recommended, See https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/");
                }
                continue;
            }
            String name = text(p, "name");
            if (get(p, "name") == null) {
                f.warn(ValidationWarning.UNNAMED_SERVICE_PORT, pp,
                        "service \"" + svc + "\" has an unnamed port. This is not recommended, See "
                        + "https://istio.io/latest/docs/ops/deployment/application-requirements/");
                continue;
            }
            int dash = name.indexOf('-');
            String prefix = dash >= 0 ? name.substring(0, dash) : name;
            if (Checks.protocol(prefix) == null) {
                f.warn(ValidationWarning.PORT_NAME_CONVENTION, pp.key("name"),
                        "service \"" + svc + "\" port \"" + name + "\" does not follow the Istio naming "
                        + "convention. See https://istio.io/latest/docs/ops/deployment/application-requirements/");
            }
        }
    }

    private static void deploymentLabels(Findings f, Resource r) {
        JsonNode labels = r.spec().path("template").path("metadata").path("labels");
        FieldPath lp = FieldPath.of("spec", "template", "metadata", "labels");
        if (!hasAny(labels, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app")) {
            f.warn(ValidationWarning.MISSING_TELEMETRY_LABELS, lp,
                    "deployment \"" + r.name() + "/" + r.namespace() + "\" may not provide Istio metrics and telemetry "
                    + "labels: \"app\". See https://istio.io/latest/docs/ops/deployment/application-requirements/");
        }
        if (!hasAny(labels, "service.istio.io/canonical-revision", "app.kubernetes.io/version", "version")) {
            f.warn(ValidationWarning.MISSING_TELEMETRY_LABELS, lp,
                    "deployment \"" + r.name() + "/" + r.namespace() + "\" may not provide Istio metrics and telemetry "
                    + "labels: \"version\". See https://istio.io/latest/docs/ops/deployment/application-requirements/");
        }
    }

    private static boolean hasAny(JsonNode labels, String... keys) {
        if (!labels.isObject()) {
            return false;
        }
        for (String k : keys) {
            JsonNode v = labels.get(k);
            if (v != null && !v.isNull()) {
                return true;
            }
        }
        return false;
    }

}
