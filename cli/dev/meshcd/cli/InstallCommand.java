package dev.meshcd.cli;

import dev.meshcd.admission.install.CrdInstaller;
import dev.meshcd.admission.install.InstallManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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

    @Option(names = "--image", description = "meshcd container image (default: ghcr.io/meshcd/meshcd at this meshcd's version)")
    String image;

    @Option(names = "--webhook-url", description = "point the webhooks at a meshcd outside the cluster, e.g. "
            + "https://127.0.0.1:8443 (renders no Deployment)")
    String webhookUrl;

    @Option(names = "--repo", paramLabel = "URL", description = "also run the GitOps loop in the cluster: the "
            + "Deployment's replicas follow this repository (https:// or ssh://), one at a time (leader election), "
            + "as meshcd's service account, the identity the ownership guard trusts; adds the sync's RBAC")
    String repo;

    @Option(names = "--branch", description = "with --repo: branch to follow (default ${DEFAULT-VALUE})")
    String branch = "main";

    @Option(names = "--path", description = "with --repo: sub-directory holding the configuration (default: all)")
    String path;

    @Option(names = "--sync-name", description = "with --repo: the sync's name (Lease, record, status contexts; "
            + "default ${DEFAULT-VALUE})")
    String syncName = "default";

    @Option(names = "--git-secret", description = "with --repo: Secret in meshcd's namespace whose key 'token' is "
            + "the https Git token (given to meshcd as MESHCD_GIT_TOKEN)")
    String gitSecret;

    @Option(names = "--ca-bundle", description = "PEM file of the webhook CA for the caBundle (e.g. CERT_DIR/ca.crt; "
            + "default: meshcd run fills it in)")
    Path caBundle;

    @Option(names = "--revision", paramLabel = "REV", description = "the Istio revision whose pods meshcd injects: "
            + "its webhook selects them as istiod's chart does (istio.io/rev=REV; for ${DEFAULT-VALUE} also "
            + "istio-injection=enabled and sidecar.istio.io/inject=true), so it never injects another revision's pods "
            + "(default ${DEFAULT-VALUE})")
    String revision = "default";

    @Option(names = "--istio-namespace", paramLabel = "NS", description = "Istio's namespace, whose injector "
            + "ConfigMaps meshcd may read (default ${DEFAULT-VALUE})")
    String istioNamespace = "istio-system";

    @Option(names = "--force", description = "with --apply: install even while another injector (istiod's) selects "
            + "the same pods (during a hand-over; see docs/injection.md)")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        if (webhookUrl != null && !webhookUrl.startsWith("https://")) {
            err.println("meshcd install: --webhook-url must be https://HOST:PORT");
            return ExitCodes.USAGE;
        }
        if (crds && !apply) {
            err.println("meshcd install: --crds needs --apply");
            return ExitCodes.USAGE;
        }
        if (repo != null && webhookUrl != null) {
            err.println("meshcd install: --repo runs the loop in meshcd's Deployment, which --webhook-url "
                    + "does not render; run `meshcd run --repo` next to the webhook instead");
            return ExitCodes.USAGE;
        }
        if (repo == null && (gitSecret != null || path != null)) {
            err.println("meshcd install: --path and --git-secret need --repo");
            return ExitCodes.USAGE;
        }
        if (!syncName.matches("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?")) {
            err.println("meshcd install: --sync-name must be a DNS label (lower case, digits, '-')");
            return ExitCodes.USAGE;
        }
        if (!dev.meshcd.admission.cluster.InjectorConfigWatch.validRevision(revision)
                || !dev.meshcd.admission.cluster.InjectorConfigWatch.validRevision(istioNamespace)) {
            err.println("meshcd install: --revision and --istio-namespace must be DNS labels (lower case, digits, '-')");
            return ExitCodes.USAGE;
        }
        InstallManifests.Options o = new InstallManifests.Options(namespace,
                image != null ? image : InstallManifests.Options.defaultImage(), webhookUrl,
                caBundle == null ? null : SmallFile.read(caBundle)).withRevision(revision, istioNamespace);
        if (repo != null) {
            o = o.withSync(new InstallManifests.Sync(repo, branch, path, syncName, gitSecret));
        }
        List<HasMetadata> objects = InstallManifests.render(o);
        if (!apply) {
            out.print(InstallManifests.yaml(objects));
            out.flush();
            return ExitCodes.OK;
        }
        try (KubernetesClient client = RunCommand.client(kubeconfig)) {
            List<String> conflicts = InstallManifests.conflictingInjectors(client, o);
            if (!conflicts.isEmpty()) {
                err.println("meshcd install: " + (force ? "installing although " : "")
                        + "the cluster's injector already selects the pods of revision " + revision + ": "
                        + String.join("; ", conflicts) + (force ? "" : ". Two injectors must not inject the same pod: "
                        + "deactivate it first (docs/injection.md, \"Moving a revision between istiod and meshcd\"),"
                        + " or install meshcd for another --revision (--force installs anyway)"));
                if (!force) {
                    return ExitCodes.USAGE;
                }
            }
            if (crds) {
                var bundled = CrdInstaller.bundled();
                if (bundled == null) {
                    err.println("meshcd install: this build ships no " + CrdInstaller.RESOURCE);
                    return ExitCodes.USAGE;
                }
                err.println("installed " + CrdInstaller.install(client, bundled).size() + " CRDs");
            }
            InstallManifests.apply(client, objects);
            for (HasMetadata h : objects) {
                err.println("applied " + h.getKind() + " " + (h.getMetadata().getNamespace() == null ? ""
                        : h.getMetadata().getNamespace() + "/") + h.getMetadata().getName());
            }
        }
        return ExitCodes.OK;
    }
}
