package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.AdmissionReviews;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The response body the API server reads, field by field, for each kind of answer. */
class AdmissionReviewsWriteTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> answers() {
        // 0, 1 and 2 padding characters in Base64, and bytes whose encoding uses '+' and '/'
        byte[] patch = "[{\"op\":\"add\",\"path\":\"/metadata/labels/a~1b\",\"value\":\"\u00e9\u00ff>?\"}]"
                .getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of(AdmissionResponse.allow("ok"), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":true}}"""),
                Arguments.of(AdmissionResponse.allow("ok", List.of("w \"1\"", "w2")), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":true,"warnings":["w \\"1\\"","w2"]}}"""),
                Arguments.of(AdmissionResponse.deny(403, "guard", "managed by Git: \"repo\"\nchange it there"), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":false,"status":{"code":403,
                          "message":"managed by Git: \\"repo\\"\\nchange it there","reason":"Forbidden"}}}"""),
                Arguments.of(AdmissionResponse.deny(400, "undecodable", "bad"), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":false,"status":{"code":400,"message":"bad",
                          "reason":"BadRequest"}}}"""),
                Arguments.of(AdmissionResponse.patch("injected", patch, List.of()), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":"%s"}}"""
                        .formatted(java.util.Base64.getEncoder().encodeToString(patch))),
                Arguments.of(AdmissionResponse.patch("injected", new byte[] {(byte) 0xfb, (byte) 0xff}, List.of()), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":"+/8="}}"""),
                Arguments.of(AdmissionResponse.patch("injected", new byte[] {1}, List.of()), """
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
                         "response":{"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":"AQ=="}}"""));
    }

    @ParameterizedTest
    @MethodSource("answers")
    void writesTheAdmissionReviewTheApiServerExpects(AdmissionResponse answer, String expected) throws Exception {
        byte[] wire = AdmissionReviews.write("u-1", answer);

        assertThat(JSON.readTree(wire)).isEqualTo(JSON.readTree(expected));
        if (answer.patch() != null) {
            JsonNode patch = JSON.readTree(wire).path("response").path("patch");
            assertThat(patch.binaryValue()).isEqualTo(answer.patch()); // what a Base64 []byte decoder gets back
        }
    }

    @org.junit.jupiter.api.Test
    void warningsBeyondTheCapAreCountedInALastOne() throws Exception {
        List<String> many = java.util.stream.IntStream.range(0, AdmissionReviews.MAX_WARNINGS + 70)
                .mapToObj(i -> "w" + i).toList();
        JsonNode warnings = JSON.readTree(AdmissionReviews.write("u-1", AdmissionResponse.allow("ok", many)))
                .path("response").path("warnings");
        assertThat(warnings).hasSize(AdmissionReviews.MAX_WARNINGS + 1);
        assertThat(warnings.get(0).asText()).isEqualTo("w0");
        assertThat(warnings.get(AdmissionReviews.MAX_WARNINGS - 1).asText()).isEqualTo("w" + (AdmissionReviews.MAX_WARNINGS - 1));
        assertThat(warnings.get(AdmissionReviews.MAX_WARNINGS).asText()).startsWith("... and 70 more warnings");
        // exactly at the cap: no count
        assertThat(JSON.readTree(AdmissionReviews.write("u-1", AdmissionResponse.allow("ok",
                many.subList(0, AdmissionReviews.MAX_WARNINGS)))).path("response").path("warnings"))
                .hasSize(AdmissionReviews.MAX_WARNINGS);
    }
}
