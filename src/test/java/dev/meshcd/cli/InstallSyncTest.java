package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code meshcd install --repo}: the in-cluster Deployment also runs the GitOps loop, with the RBAC it needs. */
class InstallSyncTest {
    static final InstallManifests.Options WITH_SYNC = InstallManifests.Options.defaults()
            .withSync(new InstallManifests.Sync("https://git.example.com/platform/mesh.git", "prod", "clusters/eu",
                    "eu", "mesh-git"));

    static Container container(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void theDeploymentFollowsTheRepositoryWithLeaderElectionAsTheTrustedIdentity() {
        List<HasMetadata> objects = InstallManifests.render(WITH_SYNC);
        Container c = container(objects);
        assertThat(c.getArgs()).contains("--repo=https://git.example.com/platform/mesh.git", "--branch=prod",
                "--path=clusters/eu", "--name=eu", "--leader-elect",
                "--sync-identity=system:serviceaccount:meshcd-system:meshcd");
        // the root filesystem is read-only: the Git mirror goes to an emptyDir
        String cacheArg = c.getArgs().stream().filter(a -> a.startsWith("--cache-dir=")).findFirst().orElseThrow();
        String mount = c.getVolumeMounts().get(0).getMountPath();
        assertThat(cacheArg.substring("--cache-dir=".length())).startsWith(mount + "/");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        Map<String, EnvVar> env = c.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("MESHCD_GIT_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("mesh-git");
        // the token is referenced, never rendered
        assertThat(InstallManifests.yaml(objects)).doesNotContain("token: ");
        assertThat(objects).filteredOn(ClusterRole.class::isInstance).extracting(o -> o.getMetadata().getName())
                .containsExactly("meshcd", InstallManifests.SYNC_ROLE);
    }

    @Test
    void inAnotherNamespaceTheSyncKeepsItsRecordAndLeaseThere() throws Exception {
        List<HasMetadata> objects = InstallManifests.render(
                new InstallManifests.Options("platform-gitops", WITH_SYNC.image(), null, null, WITH_SYNC.sync()));
        List<String> args = container(objects).getArgs();
        assertThat(args).contains("--state-namespace=platform-gitops",
                "--sync-identity=system:serviceaccount:platform-gitops:meshcd");

        // what `meshcd run` makes of those arguments (no cluster needed to build the options)
        CommandLine cmd = new CommandLine(new Main());
        CommandLine.ParseResult parsed = cmd.parseArgs(args.toArray(String[]::new));
        SyncArgs sync = ((RunCommand) parsed.subcommand().commandSpec().userObject()).sync;
        assertThat(sync.options().stateNamespace()).isEqualTo("platform-gitops");
    }

    @Test
    void withoutRepoTheDeploymentOnlyServesWebhooks() {
        List<HasMetadata> objects = InstallManifests.render(InstallManifests.Options.defaults());
        Container c = container(objects);
        assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--repo") || a.startsWith("--leader-elect"));
        assertThat(c.getEnv()).isEmpty();
        assertThat(objects).filteredOn(ClusterRole.class::isInstance).extracting(o -> o.getMetadata().getName())
                .containsExactly("meshcd");
    }

    @Test
    void everyRenderedArgumentIsAnOptionOfMeshcdRun() {
        // what the container runs must parse as `meshcd run ...` (a renamed option would crash-loop the pod)
        List<String> args = container(InstallManifests.render(WITH_SYNC)).getArgs();
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
        assertThat(parsed.subcommand().unmatched()).isEmpty();
        assertThat(parsed.subcommand().hasMatchedOption("--leader-elect")).isTrue();
    }

    @Test
    void installRefusesSyncOptionsThatCannotWork() {
        assertThat(Main.run("install", "--webhook-url=https://127.0.0.1:8443", "--repo=https://x/y.git"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("install", "--git-secret=s")).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("install", "--repo=https://x/y.git", "--sync-name=Not_A_Label")).isEqualTo(ExitCodes.USAGE);
    }

    /** The RBAC as the real API server authorizes it, asked with {@code kubectl auth can-i --as}. */
    @Tag("cluster")
    @ExtendWith(LocalClusterExtension.class)
    @ParameterizedTest(name = "{0} {1} in {2}: {3}")
    @CsvSource({
            "patch,  virtualservices.networking.istio.io,        shop,          yes",
            "create, destinationrules.networking.istio.io,       shop,          yes",
            "delete, authorizationpolicies.security.istio.io,    shop,          yes",
            "list,   peerauthentications.security.istio.io,      ,              yes",
            "create, leases.coordination.k8s.io,                 meshcd-system, yes",
            "update, configmaps,                                 meshcd-system, yes",
            "update, configmaps,                                 shop,          no",
            "create, leases.coordination.k8s.io,                 shop,          no",
            "create, namespaces,                                 ,              yes",
            "delete, secrets,                                    meshcd-system, no",
            "create, deployments.apps,                           shop,          no",
            "delete, namespaces,                                 ,              no",
            "create, clusterroles.rbac.authorization.k8s.io,     ,              no",
    })
    void theSyncIdentityMayDoWhatTheLoopDoesAndNoMore(String verb, String resource, String namespace, String expected,
                                                      LocalCluster cluster) {
        // the sync's RBAC only: the webhook configurations would send this cluster's requests to a Service that
        // does not run here, and other tests dry-run the webhook's own RBAC as new objects
        for (HasMetadata o : InstallManifests.render(WITH_SYNC)) {
            if (o instanceof io.fabric8.kubernetes.api.model.Namespace
                    || o.getMetadata().getName().equals(InstallManifests.SYNC_ROLE)) { // cluster-wide and in meshcd's namespace
                cluster.client().resource(o).createOr(x -> x.update());
            }
        }
        List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i", verb, resource,
                "--as=" + WITH_SYNC.serviceAccountUser()));
        args.add(namespace == null ? "--all-namespaces" : "--namespace=" + namespace);
        LocalCluster.Kubectl.Result r = cluster.kubectl(null, args.toArray(String[]::new));
        assertThat(r.stdout().strip()).as(r.all()).isEqualTo(expected);
    }
}
