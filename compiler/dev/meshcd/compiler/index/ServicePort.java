package dev.meshcd.compiler.index;

/** A port of a Kubernetes Service or ServiceEntry. {@code protocol} is Istio's (from name, appProtocol or protocol). */
public record ServicePort(String name, int number, String protocol, String targetPort) {
}
