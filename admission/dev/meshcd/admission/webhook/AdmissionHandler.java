package dev.meshcd.admission.webhook;

/**
 * One webhook's logic, like controller-runtime's {@code admission.Handler}: a request in, a response out.
 * Implementations are thread-safe, never throw for bad objects (they deny with a message) and do no
 * blocking API calls per request.
 */
@FunctionalInterface
public interface AdmissionHandler {
    AdmissionResponse handle(AdmissionRequest request);

    /** Answers allowed at once: the baseline for benchmarks and the handler for kinds meshcd ignores. */
    AdmissionHandler ALLOW_ALL = request -> AdmissionResponse.allow("allow-all");
}
