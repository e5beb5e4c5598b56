package dev.meshcd.compiler.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fields a dry-run apply would change on a live object, leaf by leaf, without the server's bookkeeping. */
class LiveFieldChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("same", "{\"spec\":{\"a\":1}}", "{\"spec\":{\"a\":1}}", List.of()),
                Arguments.of("a weight", "{\"spec\":{\"r\":[{\"w\":90},{\"w\":10}]}}",
                        "{\"spec\":{\"r\":[{\"w\":50},{\"w\":50}]}}", List.of("spec.r[0].w", "spec.r[1].w")),
                Arguments.of("a field added and one removed", "{\"spec\":{\"a\":1}}", "{\"spec\":{\"b\":1}}",
                        List.of("spec.a", "spec.b")),
                Arguments.of("a list grown", "{\"spec\":{\"l\":[1]}}", "{\"spec\":{\"l\":[1,2]}}", List.of("spec.l[1]")),
                Arguments.of("server bookkeeping and the sync's commit", 
                        "{\"metadata\":{\"resourceVersion\":\"1\",\"generation\":1,\"managedFields\":[],"
                                + "\"annotations\":{\"meshcd.dev/commit\":\"a\",\"meshcd.dev/content-hash\":\"x\"}}}",
                        "{\"metadata\":{\"resourceVersion\":\"2\",\"generation\":2,\"managedFields\":[{}],"
                                + "\"annotations\":{\"meshcd.dev/commit\":\"b\",\"meshcd.dev/content-hash\":\"y\"}}}",
                        List.of()),
                Arguments.of("a label", "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}",
                        "{\"metadata\":{\"labels\":{\"a\":\"2\"}}}", List.of("metadata.labels.a")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fieldsThatChange(String name, String live, String after, List<String> fields) throws Exception {
        JsonNode a = JSON.readTree(live);
        JsonNode b = JSON.readTree(after);
        assertThat(LiveFieldChanges.between(a, b)).containsExactlyElementsOf(fields);
    }
}
