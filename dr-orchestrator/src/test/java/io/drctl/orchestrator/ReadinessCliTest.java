package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drctl readiness} and {@code drctl daemon} through the CLI, on loopback: a VM "provider" that is a
 * script over state files, exec checks, a real engine run and journal. The lab IT covers the real parts.
 */
class ReadinessCliTest {
    @TempDir
    Path tmp;
    Path inv;
    Path state;
    Path vms;

    @BeforeEach
    void setUp() throws Exception {
        vms = Files.createDirectories(tmp.resolve("vms"));
        Files.writeString(vms.resolve("vm-2"), "stopped\n");
        Path script = Fixtures.write(tmp, "vm.sh", """
                #!/bin/sh
                # fake VM power: the VM's state is the file VMS/ID
                case "$1" in
                  status) cat "%1$s/$2" ;;
                  start) echo running > "%1$s/$2"; touch "%1$s/$2.started" ;;
                  stop) echo stopped > "%1$s/$2" ;;
                esac
                """.formatted(vms));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY
                .replace("app: { address: 127.0.0.3, roles: [app] }",
                        "app: { address: 127.0.0.3, roles: [app], vm: { provider: fake, id: vm-2 } }")
                + """
                providers:
                  fake:
                    kind: command
                    start: "%1$s start {id}"
                    stop: "%1$s stop {id}"
                    status: "%1$s status {id}"
                    running: '^running'
                    stopped: '^stopped'
                """.formatted(script));
        state = tmp.resolve("state");
    }

    Path runbook(String vmExpect, String secondCommand) throws Exception {
        return Fixtures.write(tmp, "rb.yaml", """
                name: readiness-test
                steps:
                  - id: first-ok
                    type: exec
                    command: "true"
                    onFailure: continue
                  - id: second
                    type: exec
                    command: "%s"
                    onFailure: continue
                  - id: dormant
                    type: vm.status
                    hosts: "region=region2 role=app"
                    expect: %s
                    onFailure: continue
                """.formatted(secondCommand, vmExpect));
    }

    Fixtures.Cli drctl(String... args) {
        return Fixtures.cli(Fixtures.runtime(java.util.Map.of("PATH", System.getenv("PATH"), "DRCTL_STATE_DIR", state.toString())),
                args);
    }

    static String line(String out, String check) {
        return out.lines().filter(l -> l.matches("\\s+(ok|FAIL)\\s+" + java.util.regex.Pattern.quote(check) + "\\s.*"))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + check + " in:\n" + out)).strip();
    }

    @Test
    void readiness_allChecksPass_exitZeroOneOkLinePerCheckAndReadOnly() throws Exception {
        Fixtures.Cli r = drctl("readiness", "-i", inv.toString(), runbook("stopped", "true").toString())
                .assertExit(ExitCodes.OK);
        assertTrue(line(r.out(), "first-ok").startsWith("ok"), r.out());
        assertTrue(line(r.out(), "dormant").matches("ok\\s+dormant\\s+vm.status\\s+region2/app: STOPPED \\(stopped\\)"), r.out());
        assertTrue(r.out().contains("READY: all 3 checks passed"), r.out());
        // vm.status changed nothing: probed satisfied, never applied
        List<String> brief = Fixtures.brief(Fixtures.onlyRun(state.resolve("readiness")));
        assertTrue(brief.contains("action.probed dormant region2/app"), brief.toString());
        assertFalse(brief.contains("action.applying dormant region2/app"), brief.toString());
    }

    @Test
    void readiness_oneCommandFailsAndVmNotRunning_exitThreeNamingBothFailures() throws Exception {
        Fixtures.Cli r = drctl("readiness", "-i", inv.toString(), runbook("running", "false").toString())
                .assertExit(ExitCodes.STEP_FAILED);
        assertTrue(line(r.out(), "first-ok").startsWith("ok"), r.out());
        assertTrue(line(r.out(), "second").startsWith("FAIL"), r.out());
        String vm = line(r.out(), "dormant");
        assertTrue(vm.startsWith("FAIL") && vm.contains("region2/app: expected running, saw STOPPED"), vm);
        assertTrue(r.out().contains("NOT READY: 2 of 3 checks failed: second, dormant"), r.out());
        // read-only: the failing check never powered the VM on
        assertEquals("stopped\n", Files.readString(vms.resolve("vm-2")));
        assertFalse(Files.exists(vms.resolve("vm-2.started")));
    }

    @Test
    void readiness_jsonOutput_machineReadableVerdictAndChecks() throws Exception {
        Fixtures.Cli r = drctl("readiness", "-i", inv.toString(), runbook("stopped", "false").toString(), "--output", "json")
                .assertExit(ExitCodes.STEP_FAILED);
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertFalse(n.get("ok").asBoolean());
        assertEquals(3, n.get("checks").size());
        assertEquals("second", n.get("checks").get(1).get("check").asText());
        assertEquals("FAILED", n.get("checks").get(1).get("status").asText());
        assertTrue(n.get("runId").asText().contains("readiness-test"), r.out());
    }

    @Test
    void readiness_invalidRunbook_exitTwoNothingRun() throws Exception {
        Path rb = Fixtures.write(tmp, "bad.yaml", """
                name: bad
                steps:
                  - id: vm
                    type: vm.status
                    hosts: "region=region2 role=app"
                    expect: sleeping
                """);
        Fixtures.Cli r = drctl("readiness", "-i", inv.toString(), rb.toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("bad.yaml:6:"), r.err());
        for (Path runs : List.of(state.resolve("runs"), state.resolve("readiness/runs"))) {
            assertFalse(Files.exists(runs) && Files.list(runs).findAny().isPresent(), runs.toString());
        }
    }

    @Test
    void daemon_badCron_exitTwoWithClearMessage() {
        Fixtures.Cli r = drctl("daemon", "-i", inv.toString(), "--schedule", "*/5 * * * *", "--once")
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("invalid --schedule '*/5 * * * *'"), r.err());
        assertTrue(r.err().contains("Quartz cron has 6 or 7 fields"), r.err());
    }

    @Test
    void daemon_badListen_exitTwo() {
        Fixtures.Cli r = drctl("daemon", "-i", inv.toString(), "--listen", "example.com:99999", "--once")
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("invalid --listen 'example.com:99999'"), r.err());
    }

    @Test
    void daemonOnce_oneRoundServedThenExit_codeFollowsVerdict() throws Exception {
        Fixtures.Cli ok = drctl("daemon", "-i", inv.toString(), runbook("stopped", "true").toString(), "--once",
                "--listen", "127.0.0.1:0").assertExit(ExitCodes.OK);
        assertTrue(ok.out().contains("serving http://127.0.0.1:"), ok.out());
        assertTrue(ok.out().contains("READY: all 3 checks passed"), ok.out());
        Fixtures.Cli bad = drctl("daemon", "-i", inv.toString(), runbook("stopped", "false").toString(), "--once",
                "--listen", "127.0.0.1:0").assertExit(ExitCodes.STEP_FAILED);
        assertTrue(bad.out().contains("NOT READY: 1 of 3 checks failed: second"), bad.out());
    }

    @Test
    void daemonOnce_keepRuns_oldReadinessRunsPrunedOtherRunbooksKept() throws Exception {
        Path other = Fixtures.write(tmp, "other.yaml", """
                name: other
                steps:
                  - { id: a, type: exec, command: "true" }
                """);
        assertEquals(ExitCodes.OK, drctl("run", "-i", inv.toString(), other.toString()).code());
        Path rb = runbook("stopped", "true");
        for (int i = 0; i < 3; i++) {
            Fixtures.Cli r = drctl("daemon", "-i", inv.toString(), rb.toString(), "--once", "--listen", "127.0.0.1:0",
                    "--keep-runs", "2").assertExit(ExitCodes.OK);
        }
        List<String> readinessRuns = runIds(state.resolve("readiness"));
        assertEquals(2, readinessRuns.size(), readinessRuns.toString());
        assertTrue(readinessRuns.stream().allMatch(id -> id.contains("-readiness-test-")), readinessRuns.toString());
        List<String> operatorRuns = runIds(state);
        assertEquals(1, operatorRuns.size(), operatorRuns.toString());
        assertTrue(operatorRuns.get(0).contains("-other-"), operatorRuns.toString());
    }

    static List<String> runIds(Path stateDir) throws Exception {
        try (var s = Files.list(stateDir.resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A readiness round in progress (a check that waits for a file) never refuses an operator's run on
     * the same state directory; a second round meanwhile is refused by the rounds' own lock.
     */
    @Test
    void readinessRoundInProgress_operatorRunOnSameStateDir_notRefused() throws Exception {
        Path started = tmp.resolve("round-started");
        Path release = tmp.resolve("release-round");
        Path rb = Fixtures.write(tmp, "slow.yaml", """
                name: slow-readiness
                steps:
                  - id: waits
                    type: exec
                    command: "touch %s; i=0; while [ ! -f %s ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done"
                    timeout: 60s
                """.formatted(started, release));
        Path trivial = Fixtures.write(tmp, "trivial.yaml", """
                name: incident
                steps:
                  - { id: act, type: exec, command: "true" }
                """);
        java.util.concurrent.CompletableFuture<Fixtures.Cli> round = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> drctl("daemon", "-i", inv.toString(), rb.toString(), "--once", "--listen", "127.0.0.1:0"));
        try {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (!Files.exists(started)) {
                assertFalse(round.isDone(), () -> "the round ended before its check started: " + round.join().all());
                assertTrue(System.nanoTime() < deadline, "the readiness round's check never started");
                Thread.sleep(20);
            }
            Fixtures.Cli run = drctl("run", "-i", inv.toString(), trivial.toString()).assertExit(ExitCodes.OK);
            Fixtures.Cli second = drctl("readiness", "-i", inv.toString(), rb.toString()).assertExit(ExitCodes.REFUSED);
            assertFalse(round.isDone(), "the round was still in progress throughout");
        } finally {
            Files.writeString(release, "");
        }
        Fixtures.Cli r = round.get(60, java.util.concurrent.TimeUnit.SECONDS).assertExit(ExitCodes.OK);
        assertEquals(1, runIds(state).size());
        assertEquals(1, runIds(state.resolve("readiness")).size());
    }
}
