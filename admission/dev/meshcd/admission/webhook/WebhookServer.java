package dev.meshcd.admission.webhook;

import dev.meshcd.admission.tls.ServingCertificates;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.BadMessageException;
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
     * The slowest a request body may arrive, in bytes per second. The API server sends a review in one write;
     * a client dripping its body (1 byte every 2 s) is cut off instead of holding a thread until it is done.
     */
    static final long MIN_REQUEST_DATA_RATE = 4 * 1024;
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
    private final WebhookMetrics metrics;
    private final long maxBody;
    private final Semaphore inFlight;
    /** Bodies being read or handled, in (declared or maximal) bytes, bounded by {@link #bodyBudget}. */
    private final AtomicLong bodyBytes = new AtomicLong();
    private final long bodyBudget;
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
        this.metrics = b.metrics;
        this.maxBody = b.maxBody;
        this.inFlight = new Semaphore(b.maxInFlight);
        // A fraction of the heap for request bodies in flight: their JSON trees and answers take several times more.
        this.bodyBudget = Math.max(b.maxBody, Runtime.getRuntime().maxMemory() / 16);
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
        private WebhookMetrics metrics = new WebhookMetrics();
        private long maxBody = DEFAULT_MAX_BODY;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

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
            cfg.jetty.addConnector((server, httpConfig) -> {
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false);
                https.addCustomizer(src);
                https.setSendServerVersion(false);
                https.setMinRequestDataRate(MIN_REQUEST_DATA_RATE);
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
                ctx.status(ok ? 200 : 503).contentType("text/plain").result(ok ? "ok" : "not ready");
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

    private void serve(String webhook, AdmissionHandler handler, Context ctx) throws IOException {
        String remote = ctx.req().getRemoteAddr();
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBody) {
            reject(webhook, ctx, remote, 413, "request body of " + declared + " bytes exceeds the limit of " + maxBody);
            return;
        }
        long reserved = reserve(declared);
        if (reserved < 0) {
            busy(ctx);
            metrics.badRequest(webhook, 429);
            return;
        }
        try {
            serveAdmitted(webhook, handler, ctx, remote);
        } finally {
            bodyBytes.addAndGet(-reserved);
        }
    }

    /**
     * Reserves the body's bytes (its declared length, or the limit when it declares none) before it is read:
     * the bytes reserved, or -1 when the bodies in flight would take more than their share of the heap.
     */
    private long reserve(long declared) {
        long reserve = declared >= 0 ? declared : maxBody;
        long now = bodyBytes.addAndGet(reserve);
        if (now > bodyBudget && now != reserve) { // over budget, unless it is the only body in flight
            bodyBytes.addAndGet(-reserve);
            return -1;
        }
        return reserve;
    }

    /** Over capacity: 429 with Retry-After (never a 500 or an out-of-memory error); the caller retries. */
    private static void busy(Context ctx) {
        ctx.status(429).header("Retry-After", "1").contentType("text/plain")
                .result("meshcd is at capacity; retry in a second\n");
    }

    private void serveAdmitted(String webhook, AdmissionHandler handler, Context ctx, String remote)
            throws IOException {
        byte[] body;
        try {
            body = readBody(ctx);
        } catch (BodyTimeout | BadMessageException e) { // BadMessageException: Jetty's minimum data rate (408)
            reject(webhook, ctx, remote, 408, "request body too slow: " + e.getMessage());
            return;
        } catch (IOException e) {
            boolean stalled = e.getCause() instanceof java.util.concurrent.TimeoutException; // the idle timeout
            reject(webhook, ctx, remote, stalled ? 408 : 400, "cannot read request body: " + e.getMessage());
            return;
        }
        if (body == null) {
            reject(webhook, ctx, remote, 413, "request body exceeds the limit of " + maxBody + " bytes");
            return;
        }
        // A slot is taken once the body is in: a client still sending it holds no slot (and is cut off by the
        // minimum data rate), so slow clients cannot take the capacity of the API server's requests.
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

    /**
     * The request body, or null when it exceeds {@code maxBody}. With a declared length (the API server always
     * sends one) it is read into one array of that size. A body that has not arrived within
     * {@link #BODY_DEADLINE_NANOS} is abandoned ({@link BodyTimeout}): a client dripping it holds a thread no longer.
     */
    private byte[] readBody(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        long deadline = System.nanoTime() + BODY_DEADLINE_NANOS;
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared >= 0 && declared <= maxBody) {
                byte[] body = new byte[(int) declared];
                int n = readUntil(in, body, deadline);
                if (n < body.length) {
                    throw new IOException("body ended after " + n + " of " + declared + " declared bytes");
                }
                return body;
            }
            // No declared length (chunked): grown as it arrives, never past the limit.
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(8192);
            byte[] chunk = new byte[8192];
            for (int r; (r = in.read(chunk)) >= 0; ) {
                body.write(chunk, 0, r);
                if (body.size() > maxBody) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    throw new BodyTimeout();
                }
            }
            return body.toByteArray();
        }
    }

    /** Reads until {@code buf} is full or the stream ends; throws {@link BodyTimeout} past the deadline. */
    private static int readUntil(InputStream in, byte[] buf, long deadline) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
            if (n < buf.length && System.nanoTime() > deadline) {
                throw new BodyTimeout();
            }
        }
        return n;
    }

    /** How long a request body may take to arrive: the API server sends one in a single write. */
    static final long BODY_DEADLINE_NANOS = 5_000_000_000L;

    /** A body that did not arrive in time (408). */
    static final class BodyTimeout extends IOException {
        BodyTimeout() {
            super("request body not received within " + BODY_DEADLINE_NANOS / 1_000_000_000 + " s");
        }
    }

    private void servePost(String path, PostHandler handler, Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        long reserved = declared > maxBody ? 0 : reserve(declared);
        if (reserved < 0) {
            busy(ctx);
            return;
        }
        try {
            servePostAdmitted(path, handler, ctx, declared);
        } finally {
            bodyBytes.addAndGet(-reserved);
        }
    }

    private void servePostAdmitted(String path, PostHandler handler, Context ctx, long declared) {
        byte[] body;
        try {
            body = declared > maxBody ? null : readBody(ctx);
        } catch (IOException | BadMessageException e) {
            ctx.status(400).contentType("text/plain").result("cannot read request body\n");
            return;
        }
        if (body == null) {
            LOG.warn("POST {} from {}: body over {} bytes refused", path, ctx.req().getRemoteAddr(), maxBody);
            ctx.status(413).contentType("text/plain").result("request body exceeds the limit of " + maxBody + " bytes\n");
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
