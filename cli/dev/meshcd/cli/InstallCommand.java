package dev.meshcd.cli;

import dev.meshcd.admission.install.CrdInstaller;
import dev.meshcd.admission.install.InstallManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Render (or with --apply, apply) what meshcd needs in a cluster: namespace meshcd-system, "
                + "service account, RBAC, the webhook Deployment, Service, PodDisruptionBudget and the validating "
                + "and mutating webhook configurations.%nExit 0 on success, 2 on usage or cluster errors.")
final class InstallCommand implements Callable<Integer> {
    @Option(names = "--apply", description = "apply to the cluster instead of printing YAML")
    boolean apply;

    @Option(names = "--crds", description = "also install Istio's CRDs (with --apply)")
    boolean crds;

    @Option(names = "--kubeconfig", description = "cluster to apply to (default: $KUBECONFIG, ~/.kube/config)")
    Path kubeconfig;

    @Option(names = "--namespace", description = "namespace for meshcd (default ${DEFAULT-VALUE})")
    String namespace = "meshcd-system";

    @Option(names = "--image", description = "meshcd container image (default ${DEFAULT-VALUE})")
    String image = "ghcr.io/meshcd/meshcd:latest";

    @Option(names = "--webhook-url", description = "point the webhooks at a meshcd outside the cluster, e.g. "
            + "https://127.0.0.1:8443 (renders no Deployment)")
    String webhookUrl;

    @Option(names = "--ca-bundle", description = "PEM file of the webhook CA for the caBundle (e.g. CERT_DIR/ca.crt; "
            + "default: meshcd run fills it in)")
    Path caBundle;

    @Override
    public Integer call() throws Exception {
        if (webhookUrl != null && !webhookUrl.startsWith("https://")) {
            System.err.println("meshcd install: --webhook-url must be https://HOST:PORT");
            return ExitCodes.USAGE;
        }
        if (crds && !apply) {
            System.err.println("meshcd install: --crds needs --apply");
            return ExitCodes.USAGE;
        }
        InstallManifests.Options o = new InstallManifests.Options(namespace, image, webhookUrl,
                caBundle == null ? null : Files.readString(caBundle));
        List<HasMetadata> objects = InstallManifests.render(o);
        if (!apply) {
            System.out.print(InstallManifests.yaml(objects));
            return ExitCodes.OK;
        }
        try (KubernetesClient client = RunCommand.client(kubeconfig)) {
            if (crds) {
                var bundled = CrdInstaller.bundled();
                if (bundled == null) {
                    System.err.println("meshcd install: this build ships no " + CrdInstaller.RESOURCE);
                    return ExitCodes.USAGE;
                }
                System.err.println("installed " + CrdInstaller.install(client, bundled).size() + " CRDs");
            }
            InstallManifests.apply(client, objects);
            for (HasMetadata h : objects) {
                System.err.println("applied " + h.getKind() + " " + (h.getMetadata().getNamespace() == null ? ""
                        : h.getMetadata().getNamespace() + "/") + h.getMetadata().getName());
            }
        }
        return ExitCodes.OK;
    }
}
