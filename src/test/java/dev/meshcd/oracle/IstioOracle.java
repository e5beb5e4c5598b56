package dev.meshcd.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Istio itself as the test oracle: the real {@code istioctl} and {@code xdsdump} (src/test/go/xdsdump), built at
 * the version pinned in scripts/istio-oracle.version and cached by {@code scripts/istio-oracle.sh ensure}. When
 * they are not installed the calling test is skipped with a message, unless {@code CI=true}: then it fails, so CI
 * never silently skips the differential tests (as the cluster tests do).
 */
public final class IstioOracle {
    private static volatile IstioOracle instance;
    private static volatile String unavailable;

    private final Path binDir;
    private final String version;

    private IstioOracle(Path binDir, String version) {
        this.binDir = binDir;
        this.version = version;
    }

    /** The installed oracle, or skips (fails under CI=true) the calling test. */
    public static synchronized IstioOracle get() {
        if (instance != null) {
            return instance;
        }
        if (unavailable == null) {
            try {
                Path script = Path.of("scripts", "istio-oracle.sh").toAbsolutePath();
                Process p = new ProcessBuilder(script.toString(), "bin-dir").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                    unavailable = "the Istio oracle (istioctl, xdsdump) is not installed: run 'scripts/istio-oracle.sh ensure'";
                } else {
                    String v = Files.readString(Path.of("scripts", "istio-oracle.version")).trim();
                    instance = new IstioOracle(Path.of(out), v);
                    return instance;
                }
            } catch (IOException e) {
                unavailable = "scripts/istio-oracle.sh bin-dir failed: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted";
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and " + unavailable);
        }
        Assumptions.abort("oracle tests skipped: " + unavailable);
        throw new AssertionError("unreachable");
    }

    /** The pinned istio.io/istio module version. */
    public String version() {
        return version;
    }

    /** The istio.io/istio module source the oracle was built from (its test data), in the cache's Go module cache. */
    public Path istioModule() {
        return binDir.getParent().getParent().resolve("gomod").resolve("istio.io").resolve("istio@" + version);
    }

    public Path istioctl() {
        return binDir.resolve("istioctl");
    }

    public Path xdsdump() {
        return binDir.resolve("xdsdump");
    }

    public record Result(int exit, String stdout, String stderr) {
    }

    /** Runs {@code istioctl ARGS} with KUBECONFIG=/dev/null: no cluster is ever consulted. */
    public Result istioctl(List<String> args) throws IOException, InterruptedException {
        return exec(istioctl(), args);
    }

    /** {@link #istioctl(List)} with extra environment variables (Istio's feature flags, e.g. ENABLE_NATIVE_SIDECARS). */
    public Result istioctl(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        return exec(istioctl(), args, env);
    }

    public Result xdsdump(List<String> args) throws IOException, InterruptedException {
        return exec(xdsdump(), args);
    }

    private static Result exec(Path bin, List<String> args) throws IOException, InterruptedException {
        return exec(bin, args, Map.of());
    }

    private static Result exec(Path bin, List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        cmd.addAll(args);
        Path out = Files.createTempFile("oracle", ".out");
        Path err = Files.createTempFile("oracle", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            // No cluster is ever consulted: point KUBECONFIG at nothing.
            pb.environment().put("KUBECONFIG", "/dev/null");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish within 5 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
