package dev.meshcd.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension giving tests (tag them {@code @Tag("cluster")}) one {@link LocalCluster} per test run: started
 * on first use, stopped when the run ends. Without binaries or a kubeconfig the tests are skipped with a
 * message, unless {@code CI=true}: then they fail, so CI never silently skips the cluster tests.
 */
public final class LocalClusterExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalClusterExtension.class);
    private static volatile String unavailable;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster(context);
    }

    static synchronized LocalCluster cluster(ExtensionContext context) throws Exception {
        if (unavailable != null) {
            skipOrFail(unavailable);
        }
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        LocalCluster existing = store.get(LocalCluster.class, LocalCluster.class);
        if (existing != null) {
            return existing;
        }
        try {
            LocalCluster c = LocalCluster.start();
            store.put(LocalCluster.class, c);
            return c;
        } catch (LocalCluster.Unavailable e) {
            unavailable = e.getMessage();
            skipOrFail(unavailable);
            throw e;
        }
    }

    private static void skipOrFail(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and no cluster for tests tagged \"cluster\": " + why);
        }
        Assumptions.assumeTrue(false, "cluster tests skipped: " + why);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        try {
            return cluster(e);
        } catch (Exception ex) {
            throw new ParameterResolutionException("no cluster: " + ex.getMessage(), ex);
        }
    }
}
