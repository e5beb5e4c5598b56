package dev.meshcd.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule: compiler depends on none of the others; kube (the contracts admission and sync must
 * agree on: ownership labels, what the cluster serves) depends on the compiler only; admission and sync depend
 * on the compiler and kube but never on each other; only cli wires them together. Inside the compiler,
 * dependencies point down: the stages never import the renderers ({@code report}), which sit on top of the
 * pipeline's result.
 */
@AnalyzeClasses(packages = "dev.meshcd", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule compilerIsSelfContained = noClasses().that().resideInAPackage("dev.meshcd.compiler..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.meshcd.kube..", "dev.meshcd.admission..",
                    "dev.meshcd.sync..", "dev.meshcd.cli..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule kubeSitsBelowTheShells = noClasses().that().resideInAPackage("dev.meshcd.kube..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.meshcd.admission..", "dev.meshcd.sync..",
                    "dev.meshcd.cli..")
            .because("admission and sync both depend on the shared Kubernetes layer, so it can depend on neither");

    @ArchTest
    static final ArchRule compilerDoesNoClusterOrNetworkIo = noClasses().that().resideInAPackage("dev.meshcd.compiler..")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "io.javalin..",
                    "java.net.http..", "org.eclipse.jetty..");

    @ArchTest
    static final ArchRule admissionDoesNotUseSync = noClasses().that().resideInAPackage("dev.meshcd.admission..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.meshcd.sync..", "dev.meshcd.cli..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule syncDoesNotUseAdmission = noClasses().that().resideInAPackage("dev.meshcd.sync..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.meshcd.admission..", "dev.meshcd.cli..")
            .allowEmptyShould(true); // until sync/ has classes

    /** The compiler's stages and the packages below them; {@code report} (renderers) and {@code output} sit on top. */
    static final String[] COMPILER_STAGES = {"dev.meshcd.compiler.source..", "dev.meshcd.compiler.load..",
            "dev.meshcd.compiler.model..", "dev.meshcd.compiler.diag..", "dev.meshcd.compiler.validate..",
            "dev.meshcd.compiler.index..", "dev.meshcd.compiler.analyze..", "dev.meshcd.compiler.lower..",
            "dev.meshcd.compiler.envoy..", "dev.meshcd.compiler.pipeline..", "dev.meshcd.compiler.diff..",
            "dev.meshcd.compiler.config..", "dev.meshcd.compiler.prepare.."};

    @ArchTest
    static final ArchRule compilerStagesDoNotUseRenderers = noClasses().that().resideInAnyPackage(COMPILER_STAGES)
            .should().dependOnClassesThat().resideInAPackage("dev.meshcd.compiler.report..")
            .because("renderers format a CompileResult; what stages share with them (Istio's message catalogue) "
                    + "lives in dev.meshcd.compiler.diag");
}
