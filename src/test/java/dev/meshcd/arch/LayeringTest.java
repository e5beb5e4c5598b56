package dev.meshcd.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule: compiler depends on none of the others; admission and sync depend on the
 * compiler but never on each other; only cli wires them together.
 */
@AnalyzeClasses(packages = "dev.meshcd", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule compilerIsSelfContained = noClasses().that().resideInAPackage("dev.meshcd.compiler..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.meshcd.admission..", "dev.meshcd.sync..",
                    "dev.meshcd.cli..")
            .allowEmptyShould(true);

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
}
