package dev.meshcd.compiler.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Istio's protocol selection for Service ports (ConvertProtocol in pkg/config/kube/conversion.go). */
class ProtocolsTest {
    @ParameterizedTest(name = "name={0} appProtocol={1} l4={2} port={3}: {4}")
    @CsvSource(nullValues = "-", value = {
        "http-web, -, TCP, 80, HTTP",
        "HTTP2, -, TCP, 80, HTTP2",
        "grpc-web, -, TCP, 80, GRPC-WEB",
        "grpc-web-x, -, TCP, 80, GRPC-WEB",
        "grpc, -, TCP, 80, GRPC",
        "tcp-db, -, TCP, 80, TCP",
        "web, -, TCP, 80, UNKNOWN",
        "-, -, TCP, 80, UNKNOWN",
        "dns, -, UDP, 53, UDP",
        "-, -, TCP, 53, TCP",
        "web, -, TCP, 3306, TCP",
        "-, -, TCP, 25, TCP",
        "-, -, TCP, 27017, TCP",
        "http, fake, TCP, 80, UNKNOWN",
        "web, http, TCP, 80, HTTP",
        "web, kubernetes.io/h2c, TCP, 80, HTTP2",
        "web, kubernetes.io/ws, TCP, 80, HTTP",
        "web, kubernetes.io/wss, TCP, 80, HTTPS",
        "web, grpc-web, TCP, 80, GRPC-WEB",
    })
    void protocolOfAPort(String name, String appProtocol, String l4, int port, String expected) {
        assertThat(Protocols.of(name, appProtocol, l4, port)).isEqualTo(expected);
    }
}
