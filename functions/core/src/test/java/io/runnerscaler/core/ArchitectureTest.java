package io.runnerscaler.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Core is the pure domain: no cloud SDK, no framework, no network. Adapters depend on it, never the reverse. */
@AnalyzeClasses(packages = "io.runnerscaler.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreHasNoAwsSdk = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("software.amazon..", "com.amazonaws..")
            .because("AWS calls belong in functions/aws behind the ports");

    @ArchTest
    static final ArchRule coreHasNoFramework = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.quarkus..", "jakarta..", "javax.inject..", "io.vertx..")
            .because("handlers live in functions/lambda; core is plain Java");

    @ArchTest
    static final ArchRule coreHasNoNetwork = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.net.http..")
            .because("core never talks to the network; time and I/O come in as parameters and ports");

    @ArchTest
    static final ArchRule decisionsDoNotReadTheClock = noClasses()
            .that().resideInAnyPackage("io.runnerscaler.core.planner..", "io.runnerscaler.core.periods..",
                    "io.runnerscaler.core.matching..", "io.runnerscaler.core.sim..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "getenv", String.class)
            .because("decisions are pure: the instant is a parameter");
}
