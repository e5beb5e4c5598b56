package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.admission.Reviews;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.status.GitNotesStatusBackend;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.CliProcess;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.notes.Note;
import org.eclipse.jgit.notes.NoteMap;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshcd run --repo} as a process, end to end: a real {@code git daemon}, the real API server, push
 * webhooks over meshcd's HTTPS server (certificate checked against meshcd's CA), statuses as git notes, and
 * two replicas electing one syncer on the Lease.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class RunRepoClusterTest {
    static final String SECRET = "s3cr3t-webhook-value";
    static LocalCluster cluster;
    static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster c) throws Exception {
        cluster = c;
        client = c.client();
        ReconcilerClusterTest.client = client;
        ReconcilerClusterTest.installIstioCrds();
        for (String ns : List.of("runrepo", "leaders")) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .create();
            }
        }
    }

    /**
     * The shared mesh documents moved to their own namespace, so other tests' objects are never touched, and their
     * gateway to an ingress of its own: the sync gate analyzes against the live cluster, where another test's Gateway
     * on the same ingress, port and hosts is a real conflict (IST0145).
     */
    static String[] files(String ns, int weight) {
        String ingress = "istio: ingressgateway-" + ns;
        return new String[]{"context.yaml", MeshDocs.CONTEXT.replace("namespace: shop", "namespace: " + ns)
                .replace("istio: ingressgateway", ingress),
                "gw.yaml", MeshDocs.GW.replace("shop", ns).replace("istio: ingressgateway", ingress),
                "se.yaml", MeshDocs.SE.replace("shop", ns),
                "cart.yaml", (MeshDocs.DR_CART + "---\n" + MeshDocs.VS).replace("shop", ns)
                        .replace("weight: 90", "weight: " + weight).replace("weight: 10", "weight: " + (100 - weight))};
    }

    static GenericKubernetesResource vs(String ns) {
        return client.genericKubernetesResources(new KubeObjects(client).context("networking.istio.io", "v1", "VirtualService"))
                .inNamespace(ns).withName("cart").get();
    }

    static String appliedCommit(String ns) {
        GenericKubernetesResource v = vs(ns);
        return v == null ? null : v.getMetadata().getAnnotations().get(Ownership.COMMIT);
    }

    List<String> runArgs(GitServer server, String repo, String name, String... extra) throws Exception {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, SECRET + "\n");
        List<String> args = new ArrayList<>(List.of("run", "--host", "127.0.0.1", "--port", "0",
                "--port-file", tmp.resolve(name + ".port").toString(), "--san", "127.0.0.1",
                "--cert-dir", tmp.resolve("certs").toString(), "--kubeconfig", cluster.kubeconfig().toString(),
                "--repo", server.url(repo), "--name", repo, "--cache-dir", tmp.resolve("cache-" + name).toString(),
                "--webhook-secret-file", secret.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    int awaitPort(String name, CliProcess p) {
        Path f = tmp.resolve(name + ".port");
        Await.until(Duration.ofSeconds(90), "meshcd run serving (" + name + ")\n" + "see " + tmp, () -> {
            if (!p.isAlive()) {
                throw new AssertionError("meshcd run exited:\n" + p.output());
            }
            return Files.exists(f) && !read(f).isBlank();
        });
        return Integer.parseInt(read(f).strip());
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** An HTTP client trusting only meshcd's webhook CA (written to --cert-dir), with hostname checks. */
    HttpClient https() throws Exception {
        return Reviews.client((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(tmp.resolve("certs/ca.crt")))));
    }

    static String sign(byte[] body, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    static HttpResponse<String> postGithub(HttpClient http, int port, byte[] body, String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/hooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
                .header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Per context, the states a commit's note went through, read from the history of refs/notes/meshcd. */
    static Map<String, List<String>> noteHistory(Path bare, String commit) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            var ref = repo.exactRef(GitNotesStatusBackend.NOTES_REF);
            if (ref == null) {
                return out;
            }
            walk.markStart(walk.parseCommit(ref.getObjectId()));
            walk.sort(RevSort.REVERSE);
            for (RevCommit notesCommit : walk) {
                Note note = NoteMap.read(reader, notesCommit).getNote(ObjectId.fromString(commit));
                if (note == null) {
                    continue;
                }
                JsonNode n = json.readTree(reader.open(note.getData()).getBytes());
                n.fields().forEachRemaining(e -> {
                    List<String> states = out.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                    String s = e.getValue().path("state").asText();
                    if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                        states.add(s);
                    }
                });
            }
        }
        return out;
    }

    @Test
    void signedPushWebhookSyncsAtOnceBadSignatureIsRefused() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("runrepo", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "initial", files("runrepo", 90));
            // Poll once an hour: after the first sync, only a push webhook makes it sync again.
            try (CliProcess run = CliProcess.start(tmp.resolve("logs"), "run",
                    runArgs(server, "runrepo", "run", "--interval", "1h", "--status", "notes"))) {
                int port = awaitPort("run", run);
                Await.until(Duration.ofSeconds(60), "first commit applied", () -> c1.equals(appliedCommit("runrepo")));
                GenericKubernetesResource v = vs("runrepo");
                assertThat(v.getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY, "meshcd");
                assertThat(v.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("meshcd");

                String c2 = GitServer.commit(work, "shift weight", files("runrepo", 70));
                byte[] push = ("{\"ref\":\"refs/heads/main\",\"before\":\"" + c1 + "\",\"after\":\"" + c2
                        + "\",\"repository\":{\"full_name\":\"test/runrepo\"}}").getBytes(StandardCharsets.UTF_8);
                HttpClient http = https();

                HttpResponse<String> bad = postGithub(http, port, push, sign(push, "not-the-secret"));
                assertThat(bad.statusCode()).isEqualTo(401);
                HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + port + "/hooks/github")).header("X-GitHub-Event", "push")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(push)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unsigned.statusCode()).isEqualTo(401);
                Thread.sleep(3000);
                assertThat(appliedCommit("runrepo")).as("a refused webhook triggers nothing").isEqualTo(c1);
                assertThat(noteHistory(server.base.resolve("runrepo.git"), c2)).isEmpty();

                long t0 = System.nanoTime();
                HttpResponse<String> good = postGithub(http, port, push, sign(push, SECRET));
                assertThat(good.statusCode()).as(good.body()).isEqualTo(202);
                Await.until(Duration.ofSeconds(30), "pushed commit applied", () -> c2.equals(appliedCommit("runrepo")));
                System.out.println("push webhook to applied: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                assertThat(vs("runrepo").getAdditionalProperties().get("spec").toString())
                        .contains("weight=70").contains("weight=30");

                Await.until(Duration.ofSeconds(30), "sync and drift statuses in git notes", () -> {
                    try {
                        Map<String, List<String>> h = noteHistory(server.base.resolve("runrepo.git"), c2);
                        return h.containsKey("meshcd/drift") && h.get("meshcd/sync").contains("success");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Map<String, List<String>> history = noteHistory(server.base.resolve("runrepo.git"), c2);
                assertThat(history.get("meshcd/compile")).containsExactly("pending", "success");
                assertThat(history.get("meshcd/sync")).containsExactly("pending", "success");
                assertThat(history.get("meshcd/drift")).containsExactly("success");

                // The other forges' paths are served too (and equally refuse what is not signed).
                for (String forge : List.of("gitea", "gitlab")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("https://127.0.0.1:" + port + "/hooks/" + forge))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(push)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(forge).isEqualTo(401);
                }
                run.close();
                assertThat(run.stderr()).contains("webhook /hooks/github: rejected request with a missing or bad signature")
                        .contains("webhook /hooks/github: push to main (" + c2 + "), syncing now")
                        .doesNotContain(SECRET);
            }
        }
    }

    @Test
    void twoReplicasServeWebhooksOneSyncs() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("leaders", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "initial", files("leaders", 90));
            String[] common = {"--interval", "1s", "--leader-elect", "--lease-duration", "4s"};
            CliProcess a = CliProcess.start(tmp.resolve("logs"), "a", concat(runArgs(server, "leaders", "a", common),
                    "--leader-identity", "replica-a"));
            CliProcess b = null;
            try {
                awaitPort("a", a);
                Await.until(Duration.ofSeconds(60), "replica a applies", () -> c1.equals(appliedCommit("leaders")));
                assertThat(leaseHolder()).isEqualTo("replica-a");
                b = CliProcess.start(tmp.resolve("logs"), "b", concat(runArgs(server, "leaders", "b", common),
                        "--leader-identity", "replica-b"));
                int portB = awaitPort("b", b);
                CliProcess bb = b;
                Await.until(Duration.ofSeconds(30), "replica b sees the leader",
                        () -> bb.stderr().contains("sync leader is replica-a"));
                // b serves webhooks (a push webhook to b is accepted; its trigger is ignored: b does not lead).
                HttpClient http = https();
                byte[] push = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
                assertThat(postGithub(http, portB, push, sign(push, SECRET)).statusCode()).isEqualTo(202);

                String c2 = GitServer.commit(work, "shift weight", files("leaders", 60));
                Await.until(Duration.ofSeconds(30), "leader applies the next commit", () -> c2.equals(appliedCommit("leaders")));
                awaitLog(a, "sync leaders: " + c2.substring(0, 7));
                assertThat(a.stderr()).contains("replica-a leads syncing");
                assertThat(a.stderr()).contains("sync leaders: " + c2 + " applied");
                assertThat(b.stderr()).doesNotContain("replica-b leads syncing").doesNotContain("sync leaders: ");

                // The leader goes away: b takes over and syncs from where the cluster's record says.
                a.close();
                Await.until(Duration.ofSeconds(40), "replica b leads", () -> "replica-b".equals(leaseHolder()));
                String c3 = GitServer.commit(work, "shift again", files("leaders", 50));
                Await.until(Duration.ofSeconds(30), "new leader applies", () -> c3.equals(appliedCommit("leaders")));
                awaitLog(b, "sync leaders: " + c3.substring(0, 7));
                assertThat(b.stderr()).contains("replica-b leads syncing").contains("sync leaders: " + c3 + " applied")
                        .doesNotContain("sync leaders: " + c2 + " applied");
                assertThat(a.stderr()).doesNotContain("sync leaders: " + c3.substring(0, 7));
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /** The log line a result listener writes just after the apply that a test saw. */
    static void awaitLog(CliProcess p, String line) {
        Await.until(Duration.ofSeconds(10), "log line " + line, () -> p.stderr().contains(line));
    }

    /** Who holds the Lease of the sync named "leaders" (one Lease per sync). */
    static String leaseHolder() {
        Lease l = client.leases().inNamespace(SyncOptions.DEFAULT_STATE_NAMESPACE).withName(LeaderElection.leaseName("leaders")).get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    static List<String> concat(List<String> args, String... more) {
        List<String> out = new ArrayList<>(args);
        out.addAll(List.of(more));
        return out;
    }
}
