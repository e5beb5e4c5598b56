package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.meshcd.compiler.model.Resource;

/**
 * What lowering one policy may depend on besides the policy itself: the cluster's DNS suffix and root
 * namespace, the commit being compiled, and the mesh's MeshDefaults (if any). {@link #fingerprint()}
 * changes whenever any of it changes, so per-file lowering results can be cached under it.
 */
public record LoweringContext(String domainSuffix, String rootNamespace, String commit, Resource meshDefaults) {

    public JsonNode defaults() {
        return meshDefaults == null ? MissingNode.getInstance() : meshDefaults.spec();
    }

    public String fingerprint() {
        return domainSuffix + "|" + rootNamespace + "|" + commit + "|"
                + (meshDefaults == null ? "" : meshDefaults.key() + "=" + defaults().path("timeout") + defaults().path("retries"));
    }

    public String fqdn(String service, String namespace) {
        return service + "." + namespace + ".svc." + domainSuffix;
    }
}
