package io.drctl.firewall;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the firewall ITs share: one {@link NetnsLab} per class, the DBMS namespace's firewall reset before each
 * test, the lock-out guard drctl's own access needs and a verifier that connects for real.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NetnsLabCase {

    static final LockoutGuard GUARD = LockoutGuard.of(22, "10.78.0.1"); // drctl "connects from" .1
    final FenceVerifier verifier = new FenceVerifier(Duration.ofSeconds(3));
    NetnsLab lab;

    @BeforeAll
    void startLab() throws Exception {
        lab = NetnsLab.start();
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void resetFirewall() throws Exception {
        lab.resetDbmsFirewall();
    }
}
