package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The parts of the templates that depend on the settings only, built once per injector. */
final class StaticParts {
    final InjectionSettings settings;
    final ObjectNode defaultResources;
    final ProxyConfigs meshProxyConfig;
    final SidecarVolumes volumes;
    final ProxyContainer proxy;

    StaticParts(InjectionSettings settings) {
        this.settings = settings;
        ObjectNode r = Json.obj();
        if (!settings.proxy().limits().isEmpty()) {
            ObjectNode l = r.putObject("limits");
            settings.proxy().limits().forEach((k, v) -> l.put(k, Quantities.canonical(v)));
        }
        if (!settings.proxy().requests().isEmpty()) {
            ObjectNode q = r.putObject("requests");
            settings.proxy().requests().forEach((k, v) -> q.put(k, Quantities.canonical(v)));
        }
        this.defaultResources = r;
        this.meshProxyConfig = ProxyConfigs.of(settings.mesh().proxyConfig());
        this.volumes = new SidecarVolumes(settings);
        this.proxy = new ProxyContainer(settings, volumes);
    }
}
