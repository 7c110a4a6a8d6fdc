package io.drctl.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Drives a real shell script that keeps each VM's power state in a file, the way {@code lab/vmctl} or
 * {@code virsh} keep theirs; every power command it runs is appended to an operations log.
 */
class CommandVmProviderTest {

    @TempDir
    Path dir;
    private Path script;
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void writeScript() throws Exception {
        script = dir.resolve("fakevm");
        Files.writeString(script, """
                #!/bin/sh
                # fakevm start|stop|status ID   -- state in $D/ID.state; ops appended to $D/ops.log
                D=$(dirname "$0")
                [ -f "$D/$2.state" ] || { echo "error: no such VM '$2'" >&2; exit 4; }
                case "$1" in
                  start) echo "start $2" >> "$D/ops.log"
                         if [ -f "$D/$2.slow" ]; then echo starting > "$D/$2.state"; else echo running > "$D/$2.state"; fi ;;
                  stop)  echo "stop $2" >> "$D/ops.log"; echo stopped > "$D/$2.state" ;;
                  status) s=$(cat "$D/$2.state")
                          # a slow VM needs two status polls to finish booting
                          case "$s" in starting) echo starting2 > "$D/$2.state";; starting2) echo running > "$D/$2.state";; esac
                          echo "$s"; echo "uptime: n/a" ;;
                  *) echo "usage" >&2; exit 64 ;;
                esac
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private void vm(String id, String state) throws Exception {
        Files.writeString(dir.resolve(id + ".state"), state + "\n");
    }

    private String state(String id) throws Exception {
        return Files.readString(dir.resolve(id + ".state")).strip();
    }

    private List<String> ops() throws Exception {
        Path log = dir.resolve("ops.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private CommandVmProvider provider() {
        return provider(CommandTemplates.of(script + " start {id}", script + " stop {id}", script + " status {id}",
                "^running", "^stopped"), Duration.ofSeconds(20), Duration.ofSeconds(30));
    }

    /** Local commands from {@code t}, each bounded by {@code commandTimeout}; polls every 2 s of the fake clock. */
    private CommandVmProvider provider(CommandTemplates t, Duration commandTimeout, Duration settleTimeout) {
        return new CommandVmProvider("fake", t, LocalCommandRunner.local(), commandTimeout, settleTimeout,
                Duration.ofSeconds(2), clock, clock.sleeper());
    }

    @Test
    void status_mapsOutputThroughPatterns() throws Exception {
        vm("r2-mfwkp", "stopped");
        vm("r2-mfwkb", "running");
        vm("odd", "paused");
        CommandVmProvider p = provider();

        assertEquals(new PowerState(Power.STOPPED, "stopped"), p.status(VmRef.of("r2-mfwkp")));
        assertEquals(new PowerState(Power.RUNNING, "running"), p.status(VmRef.of("r2-mfwkb")));
        assertEquals(new PowerState(Power.UNKNOWN, "paused"), p.status(VmRef.of("odd")));
    }

    /** Each power command runs only when the VM is in the other state; the VM ends in the desired one. */
    @ParameterizedTest(name = "{0} a {1} VM: {2}")
    @CsvSource({"start, stopped, CHANGED, running", "start, running, ALREADY_SATISFIED, running",
            "stop, running, CHANGED, stopped", "stop, stopped, ALREADY_SATISFIED, stopped"})
    void power_eitherStartState_actsOnlyWhenNeeded(String op, String before, PowerResult.Outcome outcome, String after)
            throws Exception {
        vm("r2-mfwkp", before);
        VmRef ref = new VmRef("region2/mfwk-p", "r2-mfwkp");

        PowerResult r = op.equals("start") ? provider().start(ref) : provider().stop(ref);

        assertEquals(outcome, r.outcome());
        assertEquals(after.equals("running") ? Power.RUNNING : Power.STOPPED, r.after().power());
        assertEquals(after, state("r2-mfwkp"));
        assertEquals(outcome == PowerResult.Outcome.CHANGED ? List.of(op + " r2-mfwkp") : List.of(), ops());
    }

    @Test
    void startTwice_secondIsAlreadySatisfied() throws Exception {
        vm("vm1", "stopped");
        CommandVmProvider p = provider();

        assertTrue(p.start(VmRef.of("vm1")).changed());
        assertFalse(p.start(VmRef.of("vm1")).changed());
        assertEquals(List.of("start vm1"), ops());
    }

    @Test
    void start_slowBoot_pollsStatusUntilRunning() throws Exception {
        vm("slow1", "stopped");
        Files.writeString(dir.resolve("slow1.slow"), "");

        PowerResult r = provider().start(VmRef.of("slow1"));

        assertEquals(Power.RUNNING, r.after().power());
        assertEquals("running", state("slow1"));
    }

    @Test
    void start_neverReachesRunning_failsAfterSettleTimeout() throws Exception {
        vm("stuck", "stopped");
        CommandTemplates t = CommandTemplates.of("true", "true", script + " status {id}", "^running", "^stopped");
        CommandVmProvider p = provider(t, Duration.ofSeconds(20), Duration.ofSeconds(10));

        VmException e = assertThrows(VmException.class, () -> p.start(VmRef.of("stuck")));

        assertEquals(VmException.Kind.UNEXPECTED_STATE, e.kind());
        assertTrue(e.getMessage().contains("expected RUNNING within 10 s"), e.getMessage());
        assertTrue(e.getMessage().contains("STOPPED"), e.getMessage());
    }

    @Test
    void status_unknownVm_isCommandFailedQuotingTheTool() throws Exception {
        VmException e = assertThrows(VmException.class, () -> provider().status(VmRef.of("nosuchvm")));

        assertEquals(VmException.Kind.COMMAND_FAILED, e.kind());
        assertTrue(e.getMessage().contains("got 4"), e.getMessage());
        assertTrue(e.getMessage().contains("no such VM 'nosuchvm'"), e.getMessage());
    }

    @Test
    void start_unknownPowerState_refusesAndRunsNothing() throws Exception {
        vm("odd", "paused");

        VmException e = assertThrows(VmException.class, () -> provider().start(VmRef.of("odd")));

        assertEquals(VmException.Kind.UNEXPECTED_STATE, e.kind());
        assertEquals(List.of(), ops());
    }

    @Test
    void vmRef_shellMetacharactersInId_areRejectedBeforeAnyCommand() throws Exception {
        Path marker = dir.resolve("pwned");
        for (String bad : List.of("vm1; touch " + marker, "$(touch " + marker + ")", "vm1 other", "`id`", "-rf", "")) {
            assertThrows(IllegalArgumentException.class, () -> VmRef.of(bad), bad);
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void status_commandTimesOut_isTypedTimeout() throws Exception {
        CommandTemplates t = CommandTemplates.of("true", "true", "sleep 5", "^running", "^stopped");
        CommandVmProvider p = provider(t, Duration.ofMillis(300), Duration.ofSeconds(10));

        VmException e = assertThrows(VmException.class, () -> p.status(VmRef.of("vm1")));

        assertEquals(VmException.Kind.TIMEOUT, e.kind());
    }

    @Test
    void templates_placeholderOnlyReplacesId() {
        assertEquals("Get-VM -Name vm-1 | Where-Object { $_.State }",
                CommandTemplates.render("Get-VM -Name {id} | Where-Object { $_.State }", VmRef.of("vm-1")));
    }
}
