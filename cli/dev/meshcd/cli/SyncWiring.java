package dev.meshcd.cli;

import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncLoop;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.SyncResult;
import dev.meshcd.sync.git.GitRemote;
import dev.meshcd.sync.status.GitNotesStatusBackend;
import dev.meshcd.sync.review.PullRequestEvent;
import dev.meshcd.sync.review.ReviewQueue;
import dev.meshcd.sync.status.StatusBackend;
import dev.meshcd.sync.webhook.PullRequestWebhook;
import dev.meshcd.sync.webhook.PushWebhook;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What {@code run --repo} and {@code up} share: the sync loop with its status backend, push-webhook routes. */
final class SyncWiring {
    /** Looked up when used: the commands set log levels after their classes are loaded. */
    private static Logger log() {
        return LoggerFactory.getLogger("dev.meshcd.cli.sync");
    }

    /** The paths push webhooks are served at. */
    static final List<String> HOOK_PATHS = List.of("/hooks/github", "/hooks/gitea", "/hooks/forgejo", "/hooks/gitlab");

    private SyncWiring() {
    }

    /**
     * A sync loop over a new {@link Reconciler} compiling in {@code workspace} (which the webhook shares).
     * {@code statuses} gets the reconciler's Git mirror, so a git-notes backend pushes from the repository the
     * loop fetches into.
     */
    static SyncLoop loop(KubernetesClient client, SyncOptions options, Workspace workspace,
                         Function<GitRemote, StatusBackend> statuses, Consumer<SyncResult> listener) throws IOException {
        AtomicReference<StatusBackend> backend = new AtomicReference<>(StatusBackend.NONE);
        Reconciler reconciler = Reconciler.create(options, client, s -> backend.get().publish(s), workspace);
        backend.set(statuses.apply(reconciler.git()));
        return new SyncLoop(reconciler, options, listener);
    }

    /** Statuses as git notes pushed to the sync's remote. */
    static Function<GitRemote, StatusBackend> notes() {
        return remote -> new GitNotesStatusBackend(remote, null);
    }

    /** The push-webhook routes (path → handler) triggering {@code loop}. */
    static Map<String, WebhookServer.PostHandler> hookRoutes(String secret, String branch, SyncLoop loop) {
        return hookRoutes(secret, branch, loop, null);
    }

    /**
     * Likewise; with {@code reviews}, pull-request events at the same paths are queued there for review (without
     * it they are answered "ignored", as every event but a push is).
     */
    static Map<String, WebhookServer.PostHandler> hookRoutes(String secret, String branch, SyncLoop loop,
                                                             ReviewQueue reviews) {
        PushWebhook hook = new PushWebhook(secret, branch, loop::trigger);
        PullRequestWebhook prHook = reviews == null ? null : new PullRequestWebhook(secret, branch, reviews::submit);
        Map<String, WebhookServer.PostHandler> routes = new LinkedHashMap<>();
        for (String path : HOOK_PATHS) {
            routes.put(path, (headers, body) -> {
                boolean pullRequest = prHook != null
                        && PullRequestEvent.isPullRequestEvent(PullRequestWebhook.event(PushWebhook.forgeOf(path), headers));
                int status = pullRequest ? prHook.handle(path, headers, body) : hook.handle("POST", path, headers, body);
                return new WebhookServer.PostHandler.Response(status, switch (status) {
                    case 202 -> pullRequest ? "review queued" : "sync triggered";
                    case 200 -> "ignored";
                    case 401 -> "bad or missing signature";
                    case 400 -> "unreadable payload";
                    case 429 -> "too many reviews waiting; retry later";
                    case 503 -> "shutting down";
                    default -> "status " + status;
                });
            });
        }
        return routes;
    }

    /** Logs each result whose phase or message differs from the previous one (a poll that finds nothing is quiet). */
    static Consumer<SyncResult> logging(String name) {
        return changes(name, line -> log().info(line), line -> log().warn(line));
    }

    /** Reports each result that differs from the previous one: successes to {@code ok}, the rest to {@code failed}. */
    static Consumer<SyncResult> changes(String name, Consumer<String> ok, Consumer<String> failed) {
        AtomicReference<String> last = new AtomicReference<>("");
        return r -> {
            String key = r.phase() + " " + r.commit() + " " + r.message() + " " + r.drift().size();
            if (key.equals(last.getAndSet(key))) {
                return;
            }
            String commit = r.commit() == null ? "" : r.commit().substring(0, Math.min(7, r.commit().length())) + " ";
            if (r.ok()) {
                ok.accept("sync " + name + ": " + commit + r.message()
                        + (r.drift().isEmpty() ? "" : " (" + r.drift().size() + " drifted fields)"));
            } else {
                failed.accept("sync " + name + ": " + commit + r.phase().name().toLowerCase(Locale.ROOT) + ": "
                        + r.message());
            }
        };
    }

    /**
     * The sync's failure while it lasts, as a note for /readyz ("sync NAME: fetch_failed since TIME: why"); empty
     * once a sync succeeds. A failing sync leaves the webhooks ready: they do not depend on it.
     */
    static final class Health implements Consumer<SyncResult> {
        private final String name;
        private volatile SyncResult failing;
        private volatile java.time.Instant since;

        Health(String name) {
            this.name = name;
        }

        @Override
        public void accept(SyncResult r) {
            if (r.ok()) {
                failing = null;
                since = null;
                return;
            }
            SyncResult before = failing;
            if (before == null || before.phase() != r.phase()) {
                since = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            }
            failing = r;
        }

        java.util.Optional<String> note() {
            SyncResult r = failing;
            return r == null ? java.util.Optional.empty() : java.util.Optional.of("sync " + name + ": "
                    + r.phase().name().toLowerCase(Locale.ROOT) + " since " + since + ": " + r.message());
        }
    }

    /** picocli converter for durations: 500ms, 2s, 5m, 1h, a bare number of seconds, or ISO-8601 (PT2S). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    static Duration parseDuration(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.replaceAll("[smh]$", ""));
            return switch (v.charAt(v.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("not a duration (use e.g. 500ms, 30s, 5m, 1h): " + value);
        }
    }
}
