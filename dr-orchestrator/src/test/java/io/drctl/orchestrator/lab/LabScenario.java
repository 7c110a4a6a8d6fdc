package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drctl.lab.Lab;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every lab scenario shares: a fresh default-site lab before the class (a scenario that needs
 * another start declares its own static {@code freshLab}, which hides this one), the lab down after it
 * (a scenario leaves the lab changed, so the next one starts fresh), and drctl in-process against the
 * class's own state dir.
 */
abstract class LabScenario {

    @TempDir
    static Path stateDir;

    @BeforeAll
    static void freshLab() {
        assumeLab();
        Lab.fresh();
    }

    @AfterAll
    static void labDown() {
        if (Lab.isSupported()) {
            Lab.down();
        }
    }

    /** Skips the class where the lab cannot run (not root, no network namespaces). */
    static void assumeLab() {
        assumeTrue(Lab.isSupported(), "the lab needs root and network namespaces");
    }

    static Cli drctl(String... args) {
        return LabCli.drctl(stateDir, args);
    }

    static String inventory() {
        return Lab.inventory().toString();
    }
}
