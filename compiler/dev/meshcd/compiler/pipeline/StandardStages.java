package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.validate.ResourceValidator;
import dev.meshcd.compiler.validate.istio.IstioValidators;
import dev.meshcd.compiler.validate.cel.CelValidator;
import dev.meshcd.compiler.validate.schema.SchemaValidator;
import java.util.ArrayList;
import java.util.List;

/** The stages meshcd runs by default, in order. The one place where stages are wired together. */
public final class StandardStages {
    private StandardStages() {
    }

    public static KindRegistry kinds() {
        return KindRegistry.standard().with(dev.meshcd.compiler.lower.PolicyKinds.infos());
    }

    public static List<ResourceValidator> validators() {
        List<ResourceValidator> v = new ArrayList<>();
        v.add(new dev.meshcd.compiler.validate.MetadataValidator()); // object names as the API server checks them
        v.add(new SchemaValidator()); // CRD openAPIV3Schema + strict fields (IST0106)
        v.add(new CelValidator()); // CRD x-kubernetes-validations (IST0106)
        // istiod's webhook rules beyond the CRD (IST0106 errors, MCD2002-MCD2034 warnings, IST0130/IST0131)
        v.addAll(IstioValidators.all(MeshIndex.DEFAULT_ROOT_NAMESPACE));
        v.add(new dev.meshcd.compiler.lower.PolicySchemaValidator());
        return v;
    }

    public static List<Analyzer> analyzers() {
        List<Analyzer> a = new ArrayList<>();
        // stage 5: cross-resource analysis with Istio's message codes (analyze/)
        a.add(new dev.meshcd.compiler.analyze.VirtualServiceDestinationHostAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.VirtualServiceSubsetAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.VirtualServiceGatewayAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ConflictingMeshGatewayHostsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.GatewayAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ConflictingGatewaysAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.DestinationRuleCaCertificatesAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.DestinationRuleSubsetPodsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.DestinationRuleHostAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.SidecarSelectorAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ServicePortNameAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.GatewayApiReferencesAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.KubernetesGatewaySelectorAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.GatewayApiCrdVersionAnalyzer());
        // istioctl analyzers ported in issue 17, part 1 (annotations ... ServiceEntries)
        a.add(new dev.meshcd.compiler.analyze.AnnotationsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.AlphaAnnotationsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.DeprecationAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.TelemetryLightstepAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.EnvoyFilterPatchAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.DeploymentServicesAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ApplicationUidAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.NegativeConditionsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.AuthorizationPolicyAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.BlockedCidrsAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ServiceEntryAddressesAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ServiceEntryProtocolConflictAnalyzer());
        // issue 17, part 2 (gateways, telemetry, VirtualServices, injection, webhooks, mesh networks)
        a.add(new dev.meshcd.compiler.analyze.GatewaySecretAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.GatewayCertificateAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.TelemetryProviderAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.TelemetrySelectorAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.JwtClaimRouteAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.IngressSubsetRouteAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.InjectionAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.InjectionImageAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ImageAutoAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.InjectionWebhookAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.ExternalControlPlaneAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.MeshNetworksAnalyzer());
        a.add(new dev.meshcd.compiler.analyze.MultiClusterServiceAnalyzer());
        a.add(new dev.meshcd.compiler.lower.PolicyAnalyzer());
        return a;
    }

    public static List<DiagnosticFilter> filters() {
        List<DiagnosticFilter> f = new ArrayList<>();
        // one diagnostic per unresolved ${VAR}: nothing else about the field that holds it
        f.add(new dev.meshcd.compiler.prepare.PlaceholderFieldFilter());
        // one diagnostic per mistake: a validation warning an analyzer reports with Istio's code (before suppressions)
        f.add(new dev.meshcd.compiler.analyze.RedundantWarningFilter());
        // suppressions as code: galley.istio.io/analyze-suppress and meshcd.dev/suppress annotations
        f.add(new dev.meshcd.compiler.analyze.AnnotationSuppressionFilter());
        return f;
    }

    public static Compiler compiler(CompileOptions options) {
        return new Compiler(options, kinds(), validators(), analyzers(), filters());
    }

    /** The standard compiler with more filters after the standard ones (meshcd.yaml's suppressions). */
    public static Compiler compiler(CompileOptions options, List<DiagnosticFilter> extraFilters) {
        List<DiagnosticFilter> f = filters();
        f.addAll(extraFilters);
        return new Compiler(options, kinds(), validators(), analyzers(), f);
    }
}
