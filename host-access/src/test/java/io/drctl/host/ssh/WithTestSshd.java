package io.drctl.host.ssh;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class against one real OpenSSH sshd ({@link TestSshd}) on 127.0.0.1, started once for the class. */
abstract class WithTestSshd {

    static TestSshd sshd;
    /** Records the server's host key: strict checking accepts it. */
    static Path knownHosts;

    @BeforeAll
    static void startSshd() throws Exception {
        sshd = TestSshd.start();
        knownHosts = sshd.knownHosts("known_hosts");
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
            sshd = null;
        }
    }
}
