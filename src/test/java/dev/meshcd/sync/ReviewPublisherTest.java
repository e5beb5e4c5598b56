package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.sync.forge.ForgeTarget;
import dev.meshcd.sync.forge.ReviewComments;
import dev.meshcd.sync.forge.ReviewPublisher;
import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.status.HttpStatusBackend.Forge;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReviewPublisherTest {
    /**
     * The comment (the docs-derived GitHub exchange; the cluster's own marker), then the meshcd/review status of the
     * cluster on the head commit.
     */
    @Test
    void commentThenStatusOnTheHead() throws IOException {
        ArrayNode rec = (ArrayNode) ForgeReplay.recording("github-review-comment-create.json");
        ((ObjectNode) rec.get(1).path("body")).put("body", ReviewCommentsTest.NEW.replace(ReviewComments.MARKER,
                "<!-- meshcd-review (prod-eu) -->"));
        String sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
        ObjectNode status = rec.addObject().put("method", "post").put("path", "/repos/octocat/Hello-World/statuses/" + sha)
                .put("status", 201);
        status.putObject("body").put("state", "failure").put("description", "1 error introduced")
                .put("context", "meshcd/review (prod-eu)");
        status.set("reqheaders", rec.get(1).path("reqheaders"));
        status.putObject("response").put("id", 1).put("state", "failure");
        try (ForgeReplay replay = new ForgeReplay(rec)) {
            ReviewPublisher p = new ReviewPublisher(new ForgeTarget(Forge.GITHUB, replay.base, "octocat/Hello-World",
                    ReviewCommentsTest.GH_TOKEN), "prod-eu", null);
            ReviewComments.Posted posted = p.publish(1347, sha,
                    new PullRequestReview(ReviewCommentsTest.NEW, State.FAILURE, "1 error introduced"));
            assertThat(replay.mismatches).isEmpty();
            assertThat(posted.created()).isTrue();
            assertThat(replay.served.get()).isEqualTo(3);
        }
    }
}
