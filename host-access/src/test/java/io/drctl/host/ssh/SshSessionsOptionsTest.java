package io.drctl.host.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner;
import io.drctl.host.SshTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SshSessionsOptionsTest {

    @Test
    void options_toString_neverShowsEnvironmentValues() {
        SshSessions.Options o = SshSessions.Options.defaults()
                .withPassphraseFrom("DRHOST_PASS", Map.of("DRHOST_PASS", "s3cret-value-xyz"));
        assertFalse(o.toString().contains("s3cret-value-xyz"), o.toString());
        assertTrue(o.toString().contains("DRHOST_PASS"), o.toString());
    }

    @Test
    void options_invalidValues_rejectedQuotingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshSessions.Options.defaults().withPassphraseFrom("BAD-NAME;", Map.of()));
        assertTrue(e.getMessage().contains("BAD-NAME;"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SshSessions.Options.defaults().withMaxChannelsPerSession(0));
        assertThrows(IllegalArgumentException.class,
                () -> SshSessions.Options.defaults().withServerAlive(Duration.ZERO, 3));
        assertThrows(IllegalArgumentException.class, () -> SshSessions.Options.defaults().withMaxOutputBytes(0));
    }

    @Test
    void runner_describesTargetAndOs_withoutConnecting() {
        SshTarget windows = new SshTarget("r2/fw", "192.0.2.20", 22, "Administrator", Path.of("/nonexistent/key"),
                Path.of("/nonexistent/known_hosts"), true, Duration.ofSeconds(1), CommandRunner.OsFamily.WINDOWS,
                Optional.empty());
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = sessions.runner(windows);
            assertEquals("ssh Administrator@192.0.2.20:22 (r2/fw)", r.describe());
            assertEquals(CommandRunner.OsFamily.WINDOWS, r.os());
        }
    }

    @Test
    void runner_afterClose_refusesToRun() {
        SshTarget t = new SshTarget("x", "192.0.2.30", 22, "u", Path.of("/nonexistent/key"),
                Path.of("/nonexistent/known_hosts"), true, Duration.ofSeconds(1), CommandRunner.OsFamily.LINUX,
                Optional.empty());
        SshSessions sessions = new SshSessions();
        CommandRunner r = sessions.runner(t);
        sessions.close();
        assertThrows(IllegalStateException.class, () -> r.run("true", Duration.ofSeconds(1)));
    }

    @Test
    void boundedOutput_keepsLimitAndCountsTheRest() {
        SshCommandRunner.BoundedOutput out = new SshCommandRunner.BoundedOutput(5);
        out.write("hello world".getBytes(), 0, 11);
        out.write('!');
        assertEquals("hello\n[drctl: 7 more bytes of output dropped]", out.text());
        SshCommandRunner.BoundedOutput small = new SshCommandRunner.BoundedOutput(100);
        small.write("abc".getBytes(), 0, 3);
        assertEquals("abc", small.text());
    }
}
