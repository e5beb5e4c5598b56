package dev.meshcd.sync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test support: Git's smart HTTP protocol served by the real {@code git http-backend} (CGI) behind a tiny
 * HTTP server that requires basic auth with a given user and token.
 */
final class GitHttpBackend implements AutoCloseable {
    private final HttpServer server;

    GitHttpBackend(Path projectRoot, String user, String token) throws IOException {
        String expected = "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try {
                if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                cgi(ex, projectRoot, user);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String url(String repo) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repo + ".git";
    }

    private static void cgi(HttpExchange ex, Path root, String user) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REMOTE_USER", user);
        env.put("REQUEST_METHOD", ex.getRequestMethod());
        env.put("PATH_INFO", ex.getRequestURI().getRawPath());
        env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        env.put("CONTENT_TYPE", ct == null ? "" : ct);
        String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
        if (enc != null) {
            env.put("HTTP_CONTENT_ENCODING", enc);
        }
        String proto = ex.getRequestHeaders().getFirst("Git-Protocol");
        if (proto != null) {
            env.put("GIT_PROTOCOL", proto);
        }
        Process p = pb.start();
        byte[] body = ex.getRequestBody().readAllBytes();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(body);
        }
        byte[] out;
        try (InputStream stdout = p.getInputStream()) {
            out = stdout.readAllBytes();
        }
        int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int sepLen = 4;
        if (split < 0) {
            split = indexOf(out, "\n\n".getBytes(StandardCharsets.US_ASCII));
            sepLen = 2;
        }
        String head = new String(out, 0, Math.max(split, 0), StandardCharsets.US_ASCII);
        int status = 200;
        for (String line : head.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                ex.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(out, split + sepLen, out.length - split - sepLen);
        ex.sendResponseHeaders(status, payload.size() == 0 ? -1 : payload.size());
        if (payload.size() > 0) {
            ex.getResponseBody().write(payload.toByteArray());
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
