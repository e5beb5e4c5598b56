package dev.meshcd.sync.drift;

import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.Ownership;

/**
 * One field of a live object that differs from what Git says.
 *
 * @param path     the field path ({@code spec.http[0].route[0].weight}, {@code metadata.labels["app"]})
 * @param expected the desired value (JSON), or "<absent>"
 * @param actual   the live value (JSON), or "<absent>"
 * @param owner    the field manager that owns the field now ("meshcd", "kubectl-edit", ...), or "" if none
 */
public record Drift(ResourceKey resource, String path, String expected, String actual, String owner) {
    @Override
    public String toString() {
        return resource.display() + " " + path + ": want " + expected + ", live " + actual
                + (owner.isEmpty() || owner.equals(Ownership.FIELD_MANAGER) ? "" : " (changed by " + owner + ")");
    }
}
