package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.sync.review.ForkUrls;
import dev.meshcd.sync.review.PullRequestEvent;
import dev.meshcd.sync.webhook.PushWebhook.Forge;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which pull-request events bring code to review, from payloads: GitHub's are real (@octokit/webhooks-examples),
 * Gitea's and GitLab's derived from their docs (src/test/resources/webhook-payloads/README.md).
 */
class PullRequestEventTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode payload(String name) throws IOException {
        try (InputStream in = PullRequestEventTest.class.getResourceAsStream("/webhook-payloads/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // file | expected: key base head-sha head-ref fork-url fork-branch (- for not reviewed)
            "github-pull_request-opened.json      | github#2 master ec26c3e57ca3a959ca5aad62de7213c562f8c821 refs/pull/2/head null null",
            "github-pull_request-synchronize.json | github#2 master ec26c3e57ca3a959ca5aad62de7213c562f8c821 refs/pull/2/head null null",
            "github-pull_request-reopened.json    | github#2 master ec26c3e57ca3a959ca5aad62de7213c562f8c821 refs/pull/2/head null null",
            "github-pull_request-closed.json      | -",
            "github-pull_request-labeled.json     | -",
            "gitea-pull_request-synchronized.json | gitea#7 main b7e2a1c9d8f7e6a5b4c3d2e1f0a9b8c7d6e5f4a3 refs/pull/7/head null null",
            "gitlab-merge_request-update.json     | gitlab#1 main da1560886d4f094c3e6c9ef40349f7d38b5d27d7 refs/merge-requests/1/head "
                    + "https://gitlab.example.com/alice/mesh-config.git canary-50"})
    void eventsThatBringCode(String file, String expected) throws IOException {
        Forge forge = Forge.valueOf(file.substring(0, file.indexOf('-')).toUpperCase());
        assertThat(describe(PullRequestEvent.parse(forge, payload(file)))).isEqualTo(expected);
    }

    static String describe(PullRequestEvent e) {
        return e == null ? null : String.join(" ", e.key(), e.baseBranch(), e.headSha(), e.headRef(),
                String.valueOf(e.forkUrl()), String.valueOf(e.forkBranch()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // what is changed in the GitLab payload | reviewed
            "nothing                          | true",
            "no oldrev (a title edit)         | false",
            "action close                     | false",
            "action open                      | true",
            "state merged                     | false",
            "object_kind push                 | false",
            "last_commit not a sha            | false",
            "fork url file:///etc             | true",
            "fork url with a -oProxyCommand host | true"})
    void gitlabRules(String change, boolean reviewed) throws IOException {
        ObjectNode p = payload("gitlab-merge_request-update.json");
        ObjectNode mr = (ObjectNode) p.path("object_attributes");
        switch (change) {
            case "no oldrev (a title edit)" -> mr.remove("oldrev");
            case "action close" -> mr.put("action", "close");
            case "action open" -> mr.put("action", "open");
            case "state merged" -> mr.put("state", "merged");
            case "object_kind push" -> p.put("object_kind", "push");
            case "last_commit not a sha" -> ((ObjectNode) mr.path("last_commit")).put("id", "HEAD; rm -rf /");
            case "fork url file:///etc" -> ((ObjectNode) mr.path("source")).put("git_http_url", "file:///etc");
            case "fork url with a -oProxyCommand host" ->
                    ((ObjectNode) mr.path("source")).put("git_http_url", "ssh://-oProxyCommand=touch%20x/a.git");
            default -> { }
        }
        PullRequestEvent e = PullRequestEvent.parse(Forge.GITLAB, p);
        assertThat(e != null).isEqualTo(reviewed);
        if (e != null && change.startsWith("fork url")) {
            assertThat(e.forkUrl()).as("a hostile fork URL is dropped; the forge's own ref is still fetched").isNull();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "https://github.com/alice/mesh.git            | true",
            "http://127.0.0.1:3000/alice/mesh.git         | true",
            "ssh://git@gitlab.example.com/alice/mesh.git  | true",
            "git://127.0.0.1:9418/mesh.git                | true",
            "git@github.com:alice/mesh.git                | true",
            "file:///etc/passwd                           | false",
            "/srv/git/mesh.git                            | false",
            "../mesh.git                                  | false",
            "ext::sh -c touch% /tmp/pwned                 | false",
            "ssh://-oProxyCommand=touch/x.git             | false",
            "https://user:password@github.com/a/b.git     | false",
            "git@github.com:-upload-pack=touch            | false",
            "https://github.com/                          | false",
            "'https://github.com/a/b.git\nHost: x'        | false"})
    void forkUrls(String url, boolean allowed) {
        assertThat(ForkUrls.allowed(url)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {"canary-50 | true", "feature/x.y | true", "a..b | false", "-x | false",
            "a:b | false", "refs/* | false", "x.lock | false"})
    void forkBranches(String name, boolean allowed) {
        assertThat(ForkUrls.branchName(name)).isEqualTo(allowed);
    }

}
