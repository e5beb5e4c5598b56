package dev.meshcd.sync.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.source.BoundedRead;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON over a forge's REST API with a token: every answer read with a bound, every request with a timeout, no
 * redirect followed (the token must not travel to another host), and every error says the HTTP status and the
 * forge's own message with the token scrubbed out. Lists are followed through their {@code Link: <...>;
 * rel="next"} header (GitHub, Gitea and GitLab all send it) but only on the API's own origin, for a bounded
 * number of pages.
 */
public final class ForgeHttp {
    /** The largest answer read: a page of 100 comments of up to 65,536 characters each fits. */
    public static final int MAX_RESPONSE_BYTES = 16 << 20;
    /** Pages followed at most per list (100 items a page). */
    public static final int MAX_PAGES = 50;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");

    private final ForgeTarget target;
    private final HttpClient http;

    public ForgeHttp(ForgeTarget target, HttpClient http) {
        this.target = Objects.requireNonNull(target, "target");
        this.http = http != null ? http : HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public ForgeTarget target() {
        return target;
    }

    /** An answer: status, body (parsed; null when empty), and the next page's URI when a Link header names one. */
    record Answer(int status, JsonNode body, URI next) {
    }

    /** {@code GET} a list, following next links on the API's origin; the items of every page, in order. */
    public List<JsonNode> list(String path, String what) throws IOException {
        List<JsonNode> items = new ArrayList<>();
        URI uri = target.uri(path);
        for (int page = 1; uri != null; page++) {
            if (page > MAX_PAGES) {
                throw new IOException(target.name() + ": " + what + " has more than " + MAX_PAGES + " pages; stopped");
            }
            Answer a = send("GET", uri, null, what);
            if (a.body() == null || !a.body().isArray()) {
                throw new IOException(target.name() + ": " + what + ": expected a JSON list, got "
                        + (a.body() == null ? "nothing" : a.body().getNodeType().name().toLowerCase(Locale.ROOT)));
            }
            a.body().forEach(items::add);
            uri = a.next();
            if (uri != null && !target.sameOrigin(uri)) {
                throw new IOException(target.name() + ": " + what + ": the next page is on another server ("
                        + uri.getScheme() + "://" + uri.getAuthority() + "); not following it with the token");
            }
        }
        return items;
    }

    /** Sends a JSON body ({@code POST}, {@code PATCH}, {@code PUT}) and returns the answer's JSON. */
    public JsonNode send(String method, String path, JsonNode body, String what) throws IOException {
        return send(method, target.uri(path), body, what).body();
    }

    Answer send(String method, URI uri, JsonNode body, String what) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", target.accept());
        target.authorize(b);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(target.name() + ": interrupted while " + what);
        } catch (IOException e) {
            throw new IOException(target.name() + ": " + what + ": " + target.scrub(String.valueOf(e.getMessage())), e);
        }
        byte[] bytes;
        try (InputStream in = resp.body()) {
            bytes = BoundedRead.stream(in, target.name() + " answer", MAX_RESPONSE_BYTES, "");
        } catch (BoundedRead.TooLargeException e) {
            throw new IOException(target.name() + ": " + what + ": answer larger than " + (MAX_RESPONSE_BYTES >> 20)
                    + " MiB; not read");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int status = resp.statusCode();
        if (status / 100 != 2) {
            throw new ForgeException(status, target.name() + " answered " + status + " " + method + " " + uri.getRawPath()
                    + " (" + what + ")" + message(text));
        }
        JsonNode json = null;
        if (!text.isBlank()) {
            try {
                json = JSON.readTree(text);
            } catch (IOException e) {
                throw new IOException(target.name() + ": " + what + ": the answer is not JSON");
            }
        }
        URI next = null;
        for (String link : resp.headers().allValues("Link")) {
            Matcher m = NEXT.matcher(link);
            if (m.find()) {
                try {
                    next = uri.resolve(m.group(1));
                } catch (IllegalArgumentException e) {
                    throw new IOException(target.name() + ": " + what + ": unreadable Link header");
                }
            }
        }
        return new Answer(status, json, next);
    }

    /** The forge's own words from an error body ({@code message}, GitHub's {@code errors}, GitLab's {@code error}). */
    private String message(String text) {
        String m;
        try {
            JsonNode j = JSON.readTree(text);
            List<String> parts = new ArrayList<>();
            for (String field : List.of("message", "error", "error_description")) {
                if (j != null && j.path(field).isValueNode()) {
                    parts.add(j.path(field).asText());
                } else if (j != null && j.path(field).isContainerNode()) {
                    parts.add(j.path(field).toString());
                }
            }
            if (j != null) {
                for (JsonNode e : j.path("errors")) {
                    parts.add(e.isTextual() ? e.asText() : e.has("message") ? e.path("message").asText()
                            : e.path("field").asText() + " " + e.path("code").asText());
                }
            }
            m = parts.isEmpty() ? text : String.join("; ", parts);
        } catch (IOException | RuntimeException e) {
            m = text;
        }
        m = target.scrub(m.strip().replaceAll("\\s+", " "));
        if (m.length() > 300) {
            m = m.substring(0, 300) + "…";
        }
        return m.isEmpty() ? "" : ": " + m;
    }

    /** A forge answer outside 2xx; the message holds the status and the forge's message, never the token. */
    public static final class ForgeException extends IOException {
        private final int status;

        ForgeException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
