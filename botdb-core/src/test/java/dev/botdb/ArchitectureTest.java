package dev.botdb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules that docs/ARCHITECTURE.md states, checked on the compiled library: the
 * foundation never calls a feature, features do not call each other (doctor excepted, which
 * diagnoses them), and no two top-level packages depend on each other.
 */
class ArchitectureTest {
    /** What every feature may use: errors, configuration, SQL dialects, connections, the embedded server. */
    private static final String[] FOUNDATION = {"dev.botdb.config..", "dev.botdb.dialect..", "dev.botdb.pool..",
            "dev.botdb.embedded..", "dev.botdb.sql..", "dev.botdb.text..", "dev.botdb.copy.."};
    private static final String[] FEATURES = {"dev.botdb.migrate..", "dev.botdb.backup..", "dev.botdb.inspect..",
            "dev.botdb.maintain..", "dev.botdb.doctor..", "dev.botdb.provision..", "dev.botdb.tune..", "dev.botdb.transfer..", "dev.botdb.exchange.."};

    private static JavaClasses library;

    @BeforeAll
    static void load() {
        library = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.botdb");
    }

    @Test
    void theFoundationNeverCallsAFeature() {
        noClasses().that().resideInAnyPackage(FOUNDATION).should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .check(library);
    }

    @Test
    void featuresDoNotCallEachOtherExceptDoctorWhichDiagnosesThem() {
        for (String feature : FEATURES) {
            if (feature.equals("dev.botdb.doctor..")) {
                continue;
            }
            String[] others = java.util.Arrays.stream(FEATURES).filter(f -> !f.equals(feature)).toArray(String[]::new);
            noClasses().that().resideInAPackage(feature).should().dependOnClassesThat().resideInAnyPackage(others)
                    .check(library);
        }
    }

    @Test
    void onlyTheBotDbFacadeInTheRootPackageReachesTheFeatures() {
        noClasses().that().resideInAPackage("dev.botdb").and().doNotHaveSimpleName("BotDb")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES).check(library);
    }

    @Test
    void featuresAndFoundationPackagesHaveNoCycles() {
        // a feature's own sub-packages (backup.postgres, backup.archive, ...) are its business
        slices().matching("dev.botdb.(*)..").should().beFreeOfCycles().check(library);
    }
}
