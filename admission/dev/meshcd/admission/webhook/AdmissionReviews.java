package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reads and writes {@code admission.k8s.io/v1} AdmissionReview bodies. */
public final class AdmissionReviews {
    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";
    /**
     * Warnings written into one answer at most; the rest are counted in a last one. kubectl prints each on its own
     * line, and an object with thousands of findings (about 37,000 overlapping routes in a 3 MiB VirtualService
     * gave an answer of 23 MB) would otherwise cost the heap and the API server that much per request.
     */
    public static final int MAX_WARNINGS = 50;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private AdmissionReviews() {
    }

    /** A body that is not a usable AdmissionReview: answered with HTTP 400 and this message. */
    public static final class BadReview extends Exception {
        public BadReview(String message) {
            super(message);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static AdmissionRequest parse(byte[] body) throws BadReview {
        if (body.length == 0) {
            throw new BadReview("malformed JSON: empty body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            // Where, not what: the offending token is the client's input and is never echoed back or logged.
            JsonLocation at = e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getLocation() : null;
            throw new BadReview("malformed JSON" + (at == null || at.getLineNr() < 0 ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        }
        if (root == null || !root.isObject()) {
            throw new BadReview("body is not a JSON object");
        }
        String apiVersion = root.path("apiVersion").asText("");
        String kind = root.path("kind").asText("");
        if (!KIND.equals(kind) || !API_VERSION.equals(apiVersion)) {
            throw new BadReview("expected " + API_VERSION + " " + KIND + ", got apiVersion=\"" + apiVersion
                    + "\" kind=\"" + kind + "\"");
        }
        JsonNode req = root.get("request");
        if (req == null || !req.isObject()) {
            throw new BadReview("AdmissionReview has no request");
        }
        String uid = req.path("uid").asText("");
        if (uid.isEmpty()) {
            throw new BadReview("AdmissionReview request has no uid");
        }
        JsonNode k = req.path("kind");
        List<String> groups = new ArrayList<>();
        req.path("userInfo").path("groups").forEach(g -> groups.add(g.asText()));
        return new AdmissionRequest(uid, k.path("group").asText(""), k.path("version").asText(""),
                k.path("kind").asText(""), req.path("resource").path("resource").asText(""),
                req.path("subResource").asText(""), req.path("namespace").asText(""), req.path("name").asText(""),
                req.path("operation").asText(""), req.path("userInfo").path("username").asText(""),
                List.copyOf(groups), req.path("dryRun").asBoolean(false), object(req.get("object")),
                object(req.get("oldObject")));
    }

    private static ObjectNode object(JsonNode n) {
        return n instanceof ObjectNode o ? o : null;
    }

    /**
     * The response body. Written with a streaming generator; the patch is Base64-encoded by the JDK (standard
     * alphabet, padded, no line breaks, as Go's encoding/json reads []byte) and copied in as it is: about 5 µs
     * less per injected pod than Jackson's own Base64 writer (BENCHMARKS.md, Injection).
     */
    public static byte[] write(String uid, AdmissionResponse r) {
        byte[] patch = r.patch() == null ? null : Base64.getEncoder().encode(r.patch());
        ByteArrayBuilder out = new ByteArrayBuilder(patch == null ? 256 : patch.length + 256);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("apiVersion", API_VERSION);
            g.writeStringField("kind", KIND);
            g.writeObjectFieldStart("response");
            g.writeStringField("uid", uid);
            g.writeBooleanField("allowed", r.allowed());
            if (!r.allowed()) {
                g.writeObjectFieldStart("status");
                g.writeNumberField("code", r.code());
                g.writeStringField("message", r.message());
                g.writeStringField("reason", r.code() == 400 ? "BadRequest" : "Forbidden");
                g.writeEndObject();
            }
            if (!r.warnings().isEmpty()) {
                g.writeArrayFieldStart("warnings");
                List<String> ws = r.warnings();
                for (String w : ws.subList(0, Math.min(ws.size(), MAX_WARNINGS))) {
                    g.writeString(w);
                }
                if (ws.size() > MAX_WARNINGS) {
                    g.writeString("... and " + (ws.size() - MAX_WARNINGS) + " more warnings: run 'meshcd validate' on "
                            + "the object to see them all");
                }
                g.writeEndArray();
            }
            if (patch != null) {
                g.writeStringField("patchType", "JSONPatch");
                g.writeFieldName("patch");
                g.writeRawUTF8String(patch, 0, patch.length); // Base64 needs no JSON escaping
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
