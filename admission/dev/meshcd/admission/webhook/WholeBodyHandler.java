package dev.meshcd.admission.webhook;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Receives a POST's whole body before the request is given a thread: the body is read as it arrives, without
 * blocking (Jetty's demand callbacks), and handed to the servlet as the request attribute {@link #BODY}. A client
 * that trickles its body therefore holds a connection and the bytes it sent, never one of the pool's threads, and
 * the API server's requests behind it are served at once.
 *
 * <p>Refused here, each with a short text answer and a call to {@link Refusals}: a declared body over the limit
 * (413, unread), a chunked one that grows past it (413), one slower than {@link #MIN_DATA_RATE}, stalled for the
 * connection's idle timeout or not complete within {@link #DEADLINE_NANOS} (408), a truncated one (400), and one
 * whose bytes would take the bodies in flight past their budget (429 with {@code Retry-After: 1}, sent once the
 * body is drained, so the client reads the answer rather than a reset connection).
 */
final class WholeBodyHandler extends Handler.Wrapper {
    /** The request attribute holding the body, a {@code byte[]}. */
    static final String BODY = "dev.meshcd.admission.webhook.body";
    /**
     * The slowest a body may arrive, in bytes per second, after its first second. The API server sends a review in
     * one write; a client dripping its body (1 byte every 2 s) is answered 408 at its second byte.
     */
    static final long MIN_DATA_RATE = 4 * 1024;
    /**
     * A body refused for its size or for capacity is still read (and dropped) up to this many times the limit, so
     * that the client, which is still sending, reads the answer instead of a reset connection.
     */
    static final int DRAIN_LIMIT_FACTOR = 4;
    /** How long a whole body may take to arrive. */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Told of each request refused here (metrics, audit). */
    @FunctionalInterface
    interface Refusals {
        void refused(String path, String remote, int status, String why);
    }

    private final long maxBody;
    private final long budget;
    private final Refusals refusals;
    /** Bytes of the bodies received and not yet answered. */
    private final AtomicLong inFlight = new AtomicLong();

    /**
     * @param maxBody the largest body accepted
     * @param budget  the bytes all bodies in flight (received, being handled) may take together; a body is always
     *                let in when it is the only one
     */
    WholeBodyHandler(long maxBody, long budget, Refusals refusals) {
        this.maxBody = maxBody;
        this.budget = budget;
        this.refusals = refusals;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpMethod.POST.is(request.getMethod())) {
            return super.handle(request, response, callback);
        }
        long declared = request.getLength();
        if (declared > DRAIN_LIMIT_FACTOR * maxBody) {
            refuse(request, response, callback, 413, "request body of " + declared + " bytes exceeds the limit of "
                    + maxBody);
            return true;
        }
        new Reading(request, response, callback, declared).start();
        return true;
    }

    private void refuse(Request request, Response response, Callback callback, int status, String why) {
        refusals.refused(request.getHttpURI().getPath(), Request.getRemoteAddr(request), status, why);
        response.setStatus(status);
        if (status == 429) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        Content.Sink.write(response, true, why + "\n", callback);
    }

    /** One body being received; runs again on each demand callback until the body is complete or refused. */
    private final class Reading implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long declared;
        private final long started = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();
        private byte[] body;
        private long length;
        /** Bytes counted against the budget, given back when the answer is written. */
        private final AtomicLong held = new AtomicLong();
        /** Refused (413, 429) once the body is in: the rest of it is read and dropped, then this is the answer. */
        private int draining;
        private String drainingWhy;
        private Scheduler.Task deadline;

        Reading(Request request, Response response, Callback callback, long declared) {
            this.request = request;
            this.response = response;
            this.callback = new Callback.Nested(callback) {
                @Override
                public void completed() {
                    inFlight.addAndGet(-held.getAndSet(0));
                }
            };
            this.declared = declared;
            this.body = new byte[0];
            if (declared > maxBody) {
                drain(413, "request body of " + declared + " bytes exceeds the limit of " + maxBody);
            }
        }

        void start() {
            deadline = request.getComponents().getScheduler().schedule(() -> refuse(408,
                    "request body not received within " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NANOS) + " s"),
                    DEADLINE_NANOS, TimeUnit.NANOSECONDS);
            run();
        }

        @Override
        public void run() {
            while (!settled.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable f = chunk.getFailure();
                    boolean stalled = f instanceof TimeoutException;
                    refuse(stalled ? 408 : 400, stalled ? "request body stalled" : "cannot read request body");
                    return;
                }
                boolean last = chunk.isLast();
                boolean kept = take(chunk.getByteBuffer());
                chunk.release();
                if (!kept) {
                    return;
                }
                if (last) {
                    complete();
                    return;
                }
                long elapsed = System.nanoTime() - started;
                if (elapsed > TimeUnit.SECONDS.toNanos(1) && length < MIN_DATA_RATE * elapsed / 1_000_000_000L) {
                    refuse(408, "request body too slow: under " + MIN_DATA_RATE + " bytes/s");
                    return;
                }
            }
        }

        /** Adds a chunk's bytes to the body (or drops them when draining); false when the body was refused. */
        private boolean take(ByteBuffer bytes) {
            int n = bytes.remaining();
            if (n == 0) {
                return true;
            }
            if (declared >= 0 && length + n > declared) {
                refuse(400, "request body longer than its declared " + declared + " bytes");
                return false;
            }
            if ((long) length + n > DRAIN_LIMIT_FACTOR * maxBody) {
                refuse(413, "request body exceeds the limit of " + maxBody + " bytes");
                return false;
            }
            if (draining == 0 && length + n > maxBody) {
                drain(413, "request body exceeds the limit of " + maxBody + " bytes");
            }
            if (draining == 0 && !hold(n)) {
                drain(429, "meshcd is at capacity; retry in a second");
            }
            if (draining == 0) {
                if (length + n > body.length) {
                    // grown as bytes arrive, never to the declared length at once: a client that declares 3 MiB
                    // and sends one byte holds one byte
                    long limit = declared >= 0 ? declared : maxBody;
                    body = Arrays.copyOf(body, (int) Math.min(limit, Math.max(2L * body.length, length + n)));
                }
                bytes.get(body, (int) length, n);
            }
            length += n;
            return true;
        }

        private void drain(int status, String why) {
            draining = status;
            drainingWhy = why;
            inFlight.addAndGet(-held.getAndSet(0));
            body = null;
        }

        /** Counts {@code n} more bytes against the budget; false (nothing counted) when they do not fit. */
        private boolean hold(long n) {
            long now = inFlight.addAndGet(n);
            if (now > budget && now != held.get() + n) { // over budget, unless this body is the only one
                inFlight.addAndGet(-n);
                return false;
            }
            held.addAndGet(n);
            return true;
        }

        private void complete() {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            deadline.cancel();
            if (length < declared) {
                answer(400, "request body ended after " + length + " of " + declared + " declared bytes");
                return;
            }
            if (draining != 0) {
                answer(draining, drainingWhy);
                return;
            }
            request.setAttribute(BODY, length == body.length ? body : Arrays.copyOf(body, (int) length));
            body = null;
            try {
                if (!WholeBodyHandler.super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable t) {
                Response.writeError(request, response, callback, t);
            }
        }

        private void refuse(int status, String why) {
            if (settled.compareAndSet(false, true)) {
                deadline.cancel();
                answer(status, why);
            }
        }

        private void answer(int status, String why) {
            WholeBodyHandler.this.refuse(request, response, callback, status, why);
        }
    }
}
