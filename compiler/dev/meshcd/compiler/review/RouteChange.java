package dev.meshcd.compiler.review;

import java.util.List;
import java.util.Objects;

/**
 * One route whose targets differ between BASE and HEAD, for the callers (proxies) that see the same change: the
 * structured form of a routing change, from which the review draws its flowchart.
 *
 * @param callers proxy ids ("shop/frontend"), sorted; the change is the same for each
 * @param host    the virtual host ("cart.shop.svc.cluster.local:8080", a gateway's host)
 * @param route   the route's name, or "#N" for an unnamed one
 * @param before  where BASE sent the route's requests (empty: the route is new)
 * @param after   where HEAD sends them (empty: the route is gone)
 */
public record RouteChange(List<String> callers, String host, String route, List<Target> before, List<Target> after) {

    /** A destination of a route: a cluster's readable name and its share of requests (100 for a single one). */
    public record Target(String name, int percent) {
        public Target {
            Objects.requireNonNull(name);
        }
    }

    public RouteChange {
        callers = List.copyOf(callers);
        before = List.copyOf(before);
        after = List.copyOf(after);
    }
}
