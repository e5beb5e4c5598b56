package dev.meshcd.compiler.validate.istio;

import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.List;

/** Every semantic validator of this package, in the order the pipeline runs them. */
public final class IstioValidators {
    private IstioValidators() {
    }

    public static List<ResourceValidator> all(String rootNamespace) {
        return List.of(new MetadataValidator(), new VirtualServiceValidator(), new DestinationRuleValidator(),
                new GatewayValidator(), new ServiceEntryValidator(), new SidecarValidator(), new WorkloadEntryValidator(),
                new SecurityValidator(), new ExtensionsValidator(), new IstioctlExtrasValidator(rootNamespace));
    }
}
