package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.sync.status.GitNotesStatusBackend;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.CliProcess;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalCluster.Kubectl;
import dev.meshcd.testing.LocalClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshcd up} as a process, as a user runs it: against the test cluster with {@code --exit-after-sync}
 * (what CI runs), and on its own local control plane with the three things it tells the user to try.
 */
@Tag("cluster")
class UpClusterTest {
    static final String ISTIO_KINDS = "virtualservices,destinationrules,gateways,serviceentries,sidecars,"
            + "authorizationpolicies,peerauthentications";

    @TempDir
    Path tmp;

    @Test
    @ExtendWith(LocalClusterExtension.class)
    void exitAfterSyncAppliesExamplesToAnExistingCluster(LocalCluster cluster) throws Exception {
        Path state = tmp.resolve("state");
        try (CliProcess up = CliProcess.start(tmp, "up", List.of("up", "--exit-after-sync",
                "--kubeconfig", cluster.kubeconfig().toString(), "--state-dir", state.toString()))) {
            int exit = up.waitFor(Duration.ofMinutes(5));
            assertThat(exit).as(up.output()).isZero();
            assertThat(up.stderr()).containsPattern("meshcd up: sync examples: [0-9a-f]{7} applied 2\\d, pruned 0");

            Kubectl.Result managed = cluster.kubectl(null, "get", ISTIO_KINDS, "-A", "-o", "name",
                    "-l", "app.kubernetes.io/managed-by=meshcd");
            assertThat(managed.stdout()).contains("virtualservice.networking.istio.io/cart",
                    "destinationrule.networking.istio.io/cart", "gateway.networking.istio.io/shop-gateway",
                    "peerauthentication.security.istio.io/default", "authorizationpolicy.security.istio.io/allow-nothing");
            Kubectl.Result cart = cluster.kubectl(null, "-n", "shop", "get", "virtualservice", "cart",
                    "-o", "jsonpath={.metadata.annotations.meshcd\\.dev/repo} {.metadata.annotations.meshcd\\.dev/source}");
            assertThat(cart.stdout()).isEqualTo("examples shop/cart.yaml#L100");
            // Webhooks pointing at a process that is gone would block every Istio change: removed on exit.
            assertThat(cluster.client().admissionRegistration().v1().validatingWebhookConfigurations()
                    .withName(InstallManifests.VALIDATING_NAME).get()).isNull();
            assertThat(cluster.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(InstallManifests.MUTATING_NAME).get()).isNull();
            // The commit carries its statuses as git notes.
            try (Repository repo = new FileRepositoryBuilder().setGitDir(state.resolve("repo/.git").toFile())
                    .setMustExist(true).build()) {
                Map<String, JsonNode> statuses = GitNotesStatusBackend.read(repo, repo.resolve("HEAD"));
                assertThat(statuses.get("meshcd/compile").path("state").asText()).isEqualTo("success");
                assertThat(statuses.get("meshcd/sync").path("state").asText()).isEqualTo("success");
            }
        } finally {
            // Leave the shared cluster as other tests expect it.
            for (String ns : List.of("shop", "istio-system")) {
                cluster.kubectl(null, "-n", ns, "delete", ISTIO_KINDS, "-l", "app.kubernetes.io/managed-by=meshcd",
                        "--ignore-not-found");
            }
        }
    }

    @Test
    @ExtendWith(LocalClusterExtension.class)
    void aRepositoryThatDoesNotCompileAppliesNothingAndExits1(LocalCluster cluster) throws Exception {
        Path examples = tmp.resolve("examples");
        copy(Path.of("examples"), examples);
        Files.copy(Path.of("examples/broken/bad-weight.yaml"), examples.resolve("shop/bad-weight.yaml"));
        Path state = tmp.resolve("state");
        try (CliProcess up = CliProcess.start(tmp, "up", List.of("up", "--exit-after-sync", "--kubeconfig",
                cluster.kubeconfig().toString(), "--state-dir", state.toString(), "--examples", examples.toString()))) {
            assertThat(up.waitFor(Duration.ofMinutes(5))).as(up.output()).isEqualTo(1);
            assertThat(up.stderr()).contains("does not compile").contains("IST0106");
            // the examples' namespace only: other tests' syncs share this API server (a cart of their own elsewhere)
            assertThat(cluster.kubectl(null, "-n", "shop", "get", ISTIO_KINDS, "-o", "name",
                    "-l", "app.kubernetes.io/managed-by=meshcd").stdout())
                    .doesNotContain("virtualservice.networking.istio.io/cart");
            assertThat(cluster.client().admissionRegistration().v1().validatingWebhookConfigurations()
                    .withName(InstallManifests.VALIDATING_NAME).get()).isNull();
            try (Repository repo = new FileRepositoryBuilder().setGitDir(state.resolve("repo/.git").toFile())
                    .setMustExist(true).build()) {
                Map<String, JsonNode> statuses = GitNotesStatusBackend.read(repo, repo.resolve("HEAD"));
                assertThat(statuses.get("meshcd/compile").path("state").asText()).isEqualTo("failure");
                assertThat(statuses.get("meshcd/compile").path("description").asText()).contains("IST0106");
                assertThat(statuses.get("meshcd/sync").path("state").asText()).isEqualTo("failure");
            }
        }
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void upStartsItsOwnControlPlaneAndTheThreeThingsToTryWork() throws Exception {
        assumeControlPlaneBuilt();
        Path state = tmp.resolve("state");
        String apiserverPid = null;
        try (CliProcess up = CliProcess.start(tmp, "up", List.of("up", "--state-dir", state.toString(),
                "--interval", "1s"))) {
            Await.until(Duration.ofMinutes(5), "meshcd up ready", () -> {
                if (!up.isAlive()) {
                    throw new AssertionError("meshcd up exited:\n" + up.output());
                }
                return up.stdout().contains("Ctrl-C stops meshcd");
            });
            String out = up.stdout();
            apiserverPid = Files.readString(state.resolve("cluster/kube-apiserver.pid")).strip();
            Matcher m = Pattern.compile("export KUBECONFIG=(\\S+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            Path kubeconfig = Path.of(m.group(1));
            assertThat(kubeconfig).isEqualTo(state.resolve("cluster/kubeconfig"));

            // 1. The broken VirtualService it wrote is denied.
            Matcher apply = Pattern.compile("kubectl apply --validate=false -f (\\S+)").matcher(out);
            assertThat(apply.find()).isTrue();
            Kubectl.Result denied = Kubectl.run(kubeconfig, null, "apply", "--validate=false", "-f", apply.group(1));
            assertThat(denied.exit()).as(denied.all()).isNotZero();
            assertThat(denied.stderr()).contains("admission webhook \"validation.meshcd.dev\" denied the request")
                    .contains("IST0106");

            // 2. A weight changed and committed in the repository is applied.
            Path repo = state.resolve("repo");
            assertThat(out).contains("cd " + repo);
            Path cart = repo.resolve("shop/cart.yaml");
            Files.writeString(cart, Files.readString(cart).replace("weight: 90", "weight: 70")
                    .replace("weight: 10", "weight: 30"));
            git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qam", "cart: 70/30");
            Await.until(Duration.ofSeconds(60), "the new weights applied", () -> Kubectl.run(kubeconfig, null,
                    "-n", "shop", "get", "virtualservice", "cart", "-o", "jsonpath={.spec.http[*].route[*].weight}")
                    .stdout().strip().equals("70 30"));

            // 3. Editing a Git-managed object with kubectl is refused.
            Kubectl.Result refused = Kubectl.run(kubeconfig, null, "-n", "shop", "patch", "virtualservice", "cart",
                    "--type=merge", "-p", "{\"spec\":{\"hosts\":[\"cart\",\"cart.example.com\"]}}");
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.stderr()).contains("VirtualService shop/cart is managed by Git: examples shop/cart.yaml");

            up.close();
            assertThat(up.stderr()).contains("stopping the local control plane");
        }
        long pid = Long.parseLong(apiserverPid);
        Await.until(Duration.ofSeconds(20), "kube-apiserver stopped",
                () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    static void assumeControlPlaneBuilt() throws Exception {
        Process p = new ProcessBuilder("scripts/k8s-local.sh", "bin-dir").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean built = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        String given = System.getenv("MESHCD_TEST_KUBECONFIG");
        boolean external = given != null && !given.isBlank(); // then nothing is built for the tests
        if (!built && !external && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and no kube-apiserver binaries (scripts/k8s-local.sh ensure)");
        }
        Assumptions.assumeTrue(built, "no kube-apiserver binaries: run scripts/k8s-local.sh ensure as root");
    }

    static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("git %s: %s", args, out).isTrue();
    }
}
