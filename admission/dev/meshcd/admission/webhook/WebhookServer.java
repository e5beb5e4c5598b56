package dev.meshcd.admission.webhook;

import dev.meshcd.admission.tls.ServingCertificates;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhook server: Javalin over HTTPS only (TLS 1.2+), with {@code POST /validate},
 * {@code POST /inject}, {@code GET /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <p>Every request body is bounded; anything that is not an AdmissionReview gets a 4xx with a reason,
 * never a 500. The serving certificate can be swapped at any time ({@link ServingCertificates#rotate()}):
 * the SSL context is reloaded in place, connections and requests in flight are not dropped.
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    public static final long DEFAULT_MAX_BODY = 3L * 1024 * 1024;
    /** Requests handled at once; beyond, 429 (the API server retries). Jetty's pool has threads to spare. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /**
     * Request bodies in flight take at most this fraction of the heap (one body always fits). A body's JSON tree
     * takes up to 16 times its size (3 MiB of small routes: 50 MiB), and handling it as much again: at the install's
     * heap (256 MiB, a quarter of the 1 GiB limit) a sixteenth let five 3 MiB bodies in at once and ran out of
     * memory; a sixty-fourth lets one in beside the API server's usual few-KB reviews.
     */
    static final int BODY_HEAP_SHARE = 64;
    /** Open connections at most: connections waiting for their headers cost no thread, but file descriptors. */
    static final int MAX_CONNECTIONS = 2048;
    /**
     * Connections idle this long are closed, and a request whose body stalls that long is answered 408 (the API
     * server reconnects; its webhook timeout is 10 s by default).
     */
    static final long IDLE_TIMEOUT_MS = 10_000;

    private final String host;
    private final int requestedPort;
    private final ServingCertificates certificates;
    private final Map<String, AdmissionHandler> handlers;
    private final Map<String, PostHandler> posts;
    private final BooleanSupplier ready;
    private final BooleanSupplier live;
    private final java.util.function.Supplier<java.util.Optional<String>> readyDetail;
    private final WebhookMetrics metrics;
    private final long maxBody;
    private final Semaphore inFlight;
    private final int threads;
    /** Receives each body before the request gets a thread, within the body budget. */
    private final WholeBodyHandler bodies;
    private SslContextFactory.Server ssl;
    private ServerConnector connector;
    private Javalin app;

    private WebhookServer(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.certificates = b.certificates;
        this.handlers = Map.copyOf(b.handlers);
        this.posts = Map.copyOf(b.posts);
        this.ready = b.ready;
        this.live = b.live;
        this.readyDetail = b.readyDetail;
        this.metrics = b.metrics;
        this.maxBody = b.maxBody;
        this.inFlight = new Semaphore(b.maxInFlight);
        this.threads = b.threads;
        this.bodies = new WholeBodyHandler(maxBody, Math.max(b.maxBody, Runtime.getRuntime().maxMemory() / BODY_HEAP_SHARE),
                this::refused);
    }

    /**
     * A plain handler for an extra {@code POST} route on the same HTTPS server (e.g. Git push webhooks):
     * request headers and the bounded body in, status and a short text out. Exceptions answer 500.
     */
    @FunctionalInterface
    public interface PostHandler {
        Response handle(Map<String, String> headers, byte[] body);

        record Response(int status, String text) {
        }
    }

    public static Builder builder(ServingCertificates certificates) {
        return new Builder(certificates);
    }

    public static final class Builder {
        private final ServingCertificates certificates;
        private final Map<String, AdmissionHandler> handlers = new LinkedHashMap<>();
        private final Map<String, PostHandler> posts = new LinkedHashMap<>();
        private String host = "0.0.0.0";
        private int port = 8443;
        private BooleanSupplier ready = () -> true;
        private BooleanSupplier live = () -> true;
        private java.util.function.Supplier<java.util.Optional<String>> readyDetail = java.util.Optional::empty;
        private WebhookMetrics metrics = new WebhookMetrics();
        private long maxBody = DEFAULT_MAX_BODY;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int threads;

        private Builder(ServingCertificates certificates) {
            this.certificates = certificates;
        }

        public Builder host(String h) {
            host = h;
            return this;
        }

        /** 0 picks a free port ({@link WebhookServer#port()} tells which). */
        public Builder port(int p) {
            port = p;
            return this;
        }

        /** Serves {@code handler} at {@code POST /<name>} ("validate", "inject"). */
        public Builder handler(String name, AdmissionHandler handler) {
            handlers.put(name, handler);
            return this;
        }

        /** Serves {@code handler} at {@code POST path} (an absolute path such as "/hooks/github"). */
        public Builder post(String path, PostHandler handler) {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("route path must start with /: " + path);
            }
            posts.put(path, handler);
            return this;
        }

        /** Adds every route of {@code routes} (path → handler). */
        public Builder posts(Map<String, PostHandler> routes) {
            routes.forEach(this::post);
            return this;
        }

        public Builder ready(BooleanSupplier r) {
            ready = r;
            return this;
        }

        /** A note for {@code /readyz}'s body ("ok: NOTE"), e.g. that the answers come from a stale cache. */
        public Builder readyDetail(java.util.function.Supplier<java.util.Optional<String>> detail) {
            readyDetail = detail;
            return this;
        }

        /** Liveness for {@code /healthz}: false makes it 503, so Kubernetes restarts the replica. */
        public Builder live(BooleanSupplier l) {
            live = l;
            return this;
        }

        public Builder metrics(WebhookMetrics m) {
            metrics = m;
            return this;
        }

        public Builder maxBody(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("the largest request body must be positive, not " + bytes);
            }
            maxBody = bytes;
            return this;
        }

        /** Requests handled at once; more are answered 429 with Retry-After. */
        public Builder maxInFlight(int requests) {
            if (requests <= 0) {
                throw new IllegalArgumentException("requests in flight must be positive, not " + requests);
            }
            maxInFlight = requests;
            return this;
        }

        /** Jetty's pool size (default: Javalin's, 250); tests shrink it to show what holds a thread. */
        public Builder threads(int n) {
            if (n < 8) {
                throw new IllegalArgumentException("the server needs at least 8 threads, not " + n);
            }
            threads = n;
            return this;
        }

        public WebhookServer build() {
            return new WebhookServer(this);
        }
    }

    public synchronized WebhookServer start() {
        ssl = new SslContextFactory.Server();
        ssl.setKeyStore(ServingCertificates.keyStore(certificates.current()));
        ssl.setKeyStorePassword(new String(ServingCertificates.KEYSTORE_PASSWORD));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        ssl.setSniRequired(false);
        ssl.setRenegotiationAllowed(false);
        certificates.onChange(b -> reload());
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = maxBody;
            // The API server asks for gzip (Go's transport does by default); over loopback or the cluster
            // network, compressing an 8 KB /inject answer costs a quarter of the webhook's throughput for
            // nothing. istiod's webhooks do not compress either.
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            // Javalin puts its servlet context inside this wrapper: bodies are received before a thread is taken.
            cfg.jetty.modifyServer(server -> server.setHandler(bodies));
            if (threads > 0) {
                cfg.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(threads, Math.min(8, threads));
            }
            cfg.jetty.addConnector((server, httpConfig) -> {
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false);
                https.addCustomizer(src);
                https.setSendServerVersion(false);
                connector = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                        new HttpConnectionFactory(https));
                connector.setHost(host);
                connector.setPort(requestedPort);
                connector.setIdleTimeout(IDLE_TIMEOUT_MS);
                server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
                return connector;
            });
            for (Map.Entry<String, AdmissionHandler> e : handlers.entrySet()) {
                String name = e.getKey();
                AdmissionHandler h = e.getValue();
                cfg.routes.post("/" + name, ctx -> serve(name, h, ctx));
            }
            for (Map.Entry<String, PostHandler> e : posts.entrySet()) {
                String path = e.getKey();
                PostHandler h = e.getValue();
                cfg.routes.post(path, ctx -> servePost(path, h, ctx));
            }
            cfg.routes.get("/healthz", ctx -> {
                boolean ok = live.getAsBoolean();
                ctx.status(ok ? 200 : 503).contentType("text/plain").result(ok ? "ok" : "watches broken");
            });
            cfg.routes.get("/readyz", ctx -> {
                boolean ok = ready.getAsBoolean();
                String note = ok ? readyDetail.get().map(d -> ": " + d).orElse("") : "";
                ctx.status(ok ? 200 : 503).contentType("text/plain").result(ok ? "ok" + note : "not ready");
            });
            cfg.routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
            cfg.routes.exception(Exception.class, (ex, ctx) -> {
                LOG.warn("request {} {} failed: {}", ctx.method(), ctx.path(), ex.toString());
                ctx.status(400).contentType("text/plain").result("bad request");
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException(whyNotListening(e), e);
        }
        LOG.info("webhook server listening on https://{}:{}", host, port());
        return this;
    }

    /**
     * Why the server could not listen, from the socket error underneath (Javalin calls every bind failure "port
     * already in use", even an address that is not this machine's).
     */
    private String whyNotListening(RuntimeException e) {
        String where = "cannot listen on " + host + ":" + requestedPort + ": ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException) {
                return where + "unknown host " + host;
            }
            if (t instanceof java.net.SocketException se && se.getMessage() != null) {
                String m = se.getMessage().toLowerCase(java.util.Locale.ROOT);
                if (m.contains("already in use")) {
                    return where + "the port is already in use";
                }
                if (m.contains("cannot assign requested address")) {
                    return where + host + " is not an address of this machine";
                }
                if (m.contains("permission denied")) {
                    return where + "permission denied (ports below 1024 need privileges)";
                }
                return where + se.getMessage();
            }
        }
        return where + e.getMessage();
    }

    private void reload() {
        SslContextFactory.Server s = ssl;
        if (s == null) {
            return;
        }
        try {
            s.reload(f -> f.setKeyStore(ServingCertificates.keyStore(certificates.current())));
        } catch (Exception e) {
            LOG.error("cannot reload serving certificate (keeping the old one): {}", e.toString());
        }
    }

    /** A body refused before it reached a route (see {@link WholeBodyHandler}): counted, and audited unless 429. */
    private void refused(String path, String remote, int status, String why) {
        String webhook = path.startsWith("/") ? path.substring(1) : path;
        if (handlers.containsKey(webhook)) {
            metrics.badRequest(webhook, status);
            if (status != 429) {
                AuditLog.badRequest(webhook, remote, status, why);
            }
        } else if (status != 429) {
            LOG.warn("POST {} from {}: {} {}", path, remote, status, why);
        }
    }

    /** Over capacity: 429 with Retry-After (never a 500 or an out-of-memory error); the caller retries. */
    private static void busy(Context ctx) {
        ctx.status(429).header("Retry-After", "1").contentType("text/plain")
                .result("meshcd is at capacity; retry in a second\n");
    }

    /** The body {@link WholeBodyHandler} received for this request. */
    private static byte[] body(Context ctx) {
        return ctx.req().getAttribute(WholeBodyHandler.BODY) instanceof byte[] b ? b : null;
    }

    private void serve(String webhook, AdmissionHandler handler, Context ctx) throws IOException {
        String remote = ctx.req().getRemoteAddr();
        byte[] body = body(ctx);
        if (body == null) {
            reject(webhook, ctx, remote, 400, "no request body");
            return;
        }
        // A slot is taken once the body is in: a client still sending it holds no slot and no thread, so slow
        // clients cannot take the capacity of the API server's requests.
        if (!inFlight.tryAcquire()) {
            busy(ctx);
            metrics.badRequest(webhook, 429);
            return;
        }
        try {
            handle(webhook, handler, ctx, remote, body);
        } finally {
            inFlight.release();
        }
    }

    private void handle(String webhook, AdmissionHandler handler, Context ctx, String remote, byte[] body)
            throws IOException {
        long start = System.nanoTime();
        AdmissionRequest req;
        try {
            req = AdmissionReviews.parse(body);
        } catch (AdmissionReviews.BadReview e) {
            reject(webhook, ctx, remote, 400, e.getMessage());
            return;
        }
        AdmissionResponse resp;
        try {
            resp = handler.handle(req);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("webhook {} failed on {} {}", webhook, req.uid(), req.display(), e);
            resp = AdmissionResponse.deny(500, "internal-error",
                    "meshcd could not check " + req.display() + ": internal error (see meshcd logs)");
        }
        byte[] out = AdmissionReviews.write(req.uid(), resp);
        writeJson(ctx, out);
        metrics.observe(webhook, req.kind().isEmpty() ? "unknown" : req.kind(), resp, System.nanoTime() - start);
        AuditLog.record(webhook, req, resp);
    }

    /**
     * The answer, written straight to the servlet response: {@code ctx.result(bytes)} would copy it once more
     * through an 8 KB buffer allocated per request.
     */
    private static void writeJson(Context ctx, byte[] out) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(out.length);
        ctx.res().getOutputStream().write(out);
    }

    private void servePost(String path, PostHandler handler, Context ctx) {
        byte[] body = body(ctx);
        if (body == null) {
            ctx.status(400).contentType("text/plain").result("no request body\n");
            return;
        }
        PostHandler.Response r;
        try {
            r = handler.handle(ctx.headerMap(), body);
        } catch (RuntimeException e) {
            LOG.error("POST {} failed", path, e);
            r = new PostHandler.Response(500, "internal error (see meshcd logs)");
        }
        ctx.status(r.status()).contentType("text/plain").result(r.text() + "\n");
    }

    private void reject(String webhook, Context ctx, String remote, int status, String why) {
        metrics.badRequest(webhook, status);
        AuditLog.badRequest(webhook, remote, status, why);
        ctx.status(status).contentType("text/plain").result(why + "\n");
    }

    public int port() {
        return connector == null ? -1 : connector.getLocalPort();
    }

    public WebhookMetrics metrics() {
        return metrics;
    }

    public ServingCertificates certificates() {
        return certificates;
    }

    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    @Override
    public String toString() {
        return "WebhookServer" + Arrays.asList(host, port(), handlers.keySet(), posts.keySet());
    }
}
