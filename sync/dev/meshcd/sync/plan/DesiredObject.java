package dev.meshcd.sync.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.ResourceKey;

/**
 * One object as meshcd will apply it: the compiled resource with meshcd's label and annotations.
 *
 * @param hash the content hash (also in the {@link Labels#CONTENT_HASH} annotation of {@code body})
 */
public record DesiredObject(ResourceKey key, String apiVersion, ObjectNode body, String source, String hash) {
}
