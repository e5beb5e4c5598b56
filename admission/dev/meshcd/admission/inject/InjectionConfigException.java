package dev.meshcd.admission.inject;

import dev.meshcd.compiler.diag.SourceLocation;

/**
 * Istio's injector inputs (the sidecar injector ConfigMap's {@code values} or {@code config}, the mesh config)
 * that meshcd cannot read as they are: the message names the file, line and column and the field.
 */
public final class InjectionConfigException extends Exception {
    private final transient SourceLocation location;

    public InjectionConfigException(SourceLocation location, String message) {
        super(location.hasPosition() || !location.file().isEmpty() ? location + ": " + message : message);
        this.location = location;
    }

    public SourceLocation location() {
        return location;
    }
}
