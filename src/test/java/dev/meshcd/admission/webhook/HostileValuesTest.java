package dev.meshcd.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Values that come from requests never forge a log line, grow the metrics without bound, or come back in a reply. */
class HostileValuesTest {
    @Test
    void anAuditLineIsOneJsonObjectWhateverTheValues() throws Exception {
        String forged = "u1\nwebhook=validate uid=evil verdict=allowed \"}{\"x\":\"";
        String line = AuditLog.json("webhook", "validate", "uid", forged, "dryRun", true, "status", 400);
        assertThat(line).doesNotContain("\n").doesNotContain("\r");
        JsonNode parsed = new ObjectMapper().readTree(line);
        assertThat(parsed.get("uid").asText()).isEqualTo(forged);
        assertThat(parsed.get("dryRun").asBoolean()).isTrue();
        assertThat(parsed.get("status").asInt()).isEqualTo(400);
        assertThat(parsed.size()).isEqualTo(4);
    }

    @Test
    void metricsLabelKindsFromAFixedSet() {
        WebhookMetrics metrics = new WebhookMetrics();
        IntStream.range(0, 2_000).forEach(i -> metrics.observe("validate", "Kind" + i, AdmissionResponse.allow("ok"), 1000));
        metrics.observe("validate", "VirtualService", AdmissionResponse.allow("ok"), 1000);
        String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(scrape).contains("kind=\"other\"").contains("kind=\"VirtualService\"").doesNotContain("Kind1999");
        assertThat(scrape.length()).as("bounded whatever the kinds sent").isLessThan(64 * 1024);
    }

    @Test
    void aMalformedTokenIsNotEchoed() {
        byte[] body = "{\"apiVersion\": <script>alert(1)</script>}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AdmissionReviews.parse(body)).isInstanceOf(AdmissionReviews.BadReview.class)
                .hasMessageStartingWith("malformed JSON at line 1, column").hasMessageNotContaining("script");
    }
}
