package dev.meshcd.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the read-only conformance data in {@code ../shared/conformance/istio} (next to the project
 * in CI and on developer machines). Tests that need it are skipped cleanly where it is absent.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The Istio conformance folder, or null when absent. */
    public static Path istioRoot() {
        for (Path p : new Path[]{Path.of("..", "shared", "conformance", "istio"), Path.of("/work/shared/conformance/istio")}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** A file or folder inside the Istio conformance data; skips the calling test when the data is absent. */
    public static Path istio(String relative) {
        Path root = istioRoot();
        assumeTrue(root != null, "../shared/conformance/istio is absent: skipping conformance test");
        Path p = root.resolve(relative);
        assumeTrue(Files.exists(p), p + " is absent: skipping");
        return p;
    }
}
