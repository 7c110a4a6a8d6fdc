package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CliTest extends LoopbackCase {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void help_everyCommand_printsUsageWithExamples() {
        for (String cmd : List.of("validate", "plan", "run", "resume", "approve", "rollback", "status", "history")) {
            Fixtures.Cli r = Fixtures.cli(cmd, "--help");
            assertEquals(ExitCodes.OK, r.code(), cmd);
            assertTrue(r.out().contains("Usage: drctl " + cmd), r.out());
            assertTrue(r.out().contains("Examples:"), cmd + ": " + r.out());
        }
        Fixtures.Cli root = Fixtures.cli("--help");
        assertTrue(root.out().contains("Exit codes:") && root.out().contains("3  a step failed"), root.out());
    }

    @Test
    void noArguments_usageAndInvalidInput() {
        assertEquals(ExitCodes.INVALID_INPUT, Fixtures.cli().code());
        assertEquals(ExitCodes.INVALID_INPUT, Fixtures.cli("run").code());
    }

    /** A secret referenced through keyEnv never reaches the journal or the output, even when a command echoes it. */
    @Test
    void run_commandEchoingTheTsigSecret_secretNeverInJournalOrOutput() throws Exception {
        String secretPart = "c2VjcmV0LXZhbHVlLWZvci1kcmVuZy10ZXN0cw==";
        String secret = "hmac-sha256:drctl-update:" + secretPart;
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: leaky
                steps:
                  - id: echo
                    type: exec
                    command: "echo \\"key is $DRENG_TSIG_KEY\\"; echo \\"$DRENG_TSIG_KEY\\" | cut -d: -f3 >&2"
                  - id: fail
                    type: exec
                    command: "echo \\"$DRENG_TSIG_KEY\\" >&2; exit 3"
                    dependsOn: [echo]
                """);
        var rt = Fixtures.runtime(Map.of("PATH", System.getenv("PATH"), "DRENG_TSIG_KEY", secret));
        Fixtures.Cli r = Fixtures.cli(rt, "run", "-v", "--state-dir", state.toString(), inv.toString(), rb.toString())
                .assertExit(ExitCodes.STEP_FAILED);
        String journal = Files.readString(Fixtures.onlyRun(state).resolve("journal.jsonl"));
        assertTrue(journal.contains("key is ***"), "the command ran and its output was journaled (redacted): " + journal);
        for (String s : List.of(secret, secretPart)) {
            assertFalse(journal.contains(s), "secret in journal");
            assertFalse(r.all().contains(s), "secret in output");
        }
        Fixtures.Cli status = Fixtures.cli(rt, "status", "--state-dir", state.toString(), "--output", "json");
        assertFalse(status.all().contains(secretPart));
    }

    @Test
    void approve_fromAnotherShell_releasesWaitingRunAndJournalsWho() throws Exception {
        CompletableFuture<Fixtures.Cli> run = runWaitingForApproval("""
                  - id: after
                    type: exec
                    command: "touch %s"
                    dependsOn: [go]
                """.formatted(tmp.resolve("after")));
        Path runDir = awaitEvent("action.applying go operator");
        assertFalse(Files.exists(tmp.resolve("after")), "must wait for approval");
        Fixtures.Cli approve = Fixtures.cli("approve", runDir.getFileName().toString(), "go", "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);
        Fixtures.Cli r = run.get(30, TimeUnit.SECONDS).assertExit(ExitCodes.OK);
        assertTrue(Files.exists(tmp.resolve("after")));
        JournalEvent note = Fixtures.journal(runDir).stream().filter(e -> e.event().equals("action.note")
                && "approvedBy".equals(e.str("key"))).findFirst().orElseThrow();
        assertEquals("tester@testhost", note.str("value"));
        assertTrue(Fixtures.journal(runDir).stream().anyMatch(e -> "approve-command".equals(e.str("value"))));
    }

    @Test
    void approve_reject_failsTheStep() throws Exception {
        CompletableFuture<Fixtures.Cli> run = runWaitingForApproval("");
        Path runDir = awaitEvent("action.applying go operator");
        Fixtures.cli("approve", runDir.getFileName().toString(), "go", "--reject", "--state-dir", state.toString());
        Fixtures.Cli r = run.get(30, TimeUnit.SECONDS).assertExit(ExitCodes.STEP_FAILED);
        assertTrue(r.out().contains("rejected by tester@testhost"), r.out());
    }

    @Test
    void run_yes_preApprovesAndJournalsIt() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", "name: g\nsteps:\n  - id: go\n    type: approval\n    message: ok?\n");
        Fixtures.Cli r = Fixtures.cli("run", "--yes", "--state-dir", state.toString(), inv.toString(), rb.toString())
                .assertExit(ExitCodes.OK);
        assertTrue(Fixtures.journal(Fixtures.onlyRun(state)).stream().anyMatch(e -> "--yes".equals(e.str("value"))));
    }

    @Test
    void run_ttyPromptAnswersYes_approvesAndJournalsTty() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", "name: g\nsteps:\n  - id: go\n    type: approval\n    message: \"flip to region2?\"\n"
                + "    timeout: 30s\n");
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        var base = Fixtures.runtime(Map.of("PATH", System.getenv("PATH")));
        var rt = new io.drctl.orchestrator.cli.CliRuntime(base.env(), base.clock(), base.registry(), base.hostAccess(),
                Optional.of(q -> {
                    asked.add(q);
                    return Optional.of(true);
                }), "operator", "console-host");
        Fixtures.Cli r = Fixtures.cli(rt, "run", "--state-dir", state.toString(), inv.toString(), rb.toString())
                .assertExit(ExitCodes.OK);
        assertEquals(1, asked.size());
        assertTrue(asked.get(0).contains("flip to region2?"), asked.toString());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        assertTrue(events.stream().anyMatch(e -> "tty".equals(e.str("value"))), events.toString());
        assertTrue(events.stream().anyMatch(e -> "operator@console-host".equals(e.str("value"))), events.toString());
    }

    /** {@code drctl run}, in the background, of a step {@code go} that waits up to 30 s for an operator, then {@code moreSteps}. */
    CompletableFuture<Fixtures.Cli> runWaitingForApproval(String moreSteps) throws IOException {
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: gated
                steps:
                  - id: go
                    type: approval
                    message: "proceed?"
                    timeout: 30s
                """ + moreSteps);
        return CompletableFuture.supplyAsync(() -> Fixtures.cli("run", "--state-dir", state.toString(), inv.toString(), rb.toString()));
    }

    Path awaitEvent(String brief) throws Exception {
        return Await.run(state, events -> events.contains(brief), "journal event " + brief, Duration.ofSeconds(20), Optional.empty());
    }

    @Test
    void planJson_offline_listsStepsInExecutionOrderWithTargets() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: ordered
                params: { to: region2 }
                steps:
                  - id: last
                    type: ssh
                    hosts: "region=${to}"
                    command: "true"
                    dependsOn: [first]
                  - id: first
                    type: ssh
                    hosts: "role=app"
                    command: "true"
                """);
        Fixtures.Cli r = Fixtures.cli("plan", "--offline", "--output", "json", inv.toString(), rb.toString())
                .assertExit(ExitCodes.OK);
        JsonNode plan = JSON.readTree(r.out());
        assertEquals("first", plan.get("steps").get(0).get("id").asText());
        assertEquals("last", plan.get("steps").get(1).get("id").asText());
        assertEquals(2, plan.get("steps").get(0).get("actions").size());
        assertEquals("region2/app", plan.get("steps").get(1).get("actions").get(0).get("target").asText());
        assertTrue(plan.get("steps").get(0).get("actions").get(0).get("probe") == null, "offline: no probe");
    }

    @Test
    void plan_probing_showsCurrentVersusDesiredAndChangesNothing() throws Exception {
        Path done = Fixtures.write(tmp, "done.txt", "x\n");
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: probed
                steps:
                  - id: already
                    type: exec
                    command: "touch %s"
                    unless: "test -f %s"
                    unlessReadOnly: true
                  - id: todo
                    type: exec
                    command: "touch %s"
                    unless: "test -f %s"
                    unlessReadOnly: true
                """.formatted(tmp.resolve("a"), done, tmp.resolve("b"), tmp.resolve("b")));
        Fixtures.Cli r = Fixtures.cli("plan", inv.toString(), rb.toString()).assertExit(ExitCodes.OK);
        assertTrue(r.out().contains("= already satisfied: `unless` check exits 0"), r.out()); // a read-only unless runs
        assertTrue(r.out().contains("~ `unless` check exits 1  ->  `unless` check exits 0"), r.out());
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "plan changes nothing");
        assertFalse(Files.exists(state), "plan writes no state");
    }

    @Test
    void statusAndHistory_json_describeRuns() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", "name: tiny\nsteps:\n  - id: t\n    type: exec\n    command: \"true\"\n");
        assertEquals(ExitCodes.OK, Fixtures.cli("run", "--state-dir", state.toString(), inv.toString(), rb.toString()).code());
        Fixtures.Cli status = Fixtures.cli("status", "--state-dir", state.toString(), "--output", "json")
                .assertExit(ExitCodes.OK);
        JsonNode s = JSON.readTree(status.out());
        assertEquals("SUCCEEDED", s.get("status").asText());
        assertEquals("SUCCEEDED", s.get("steps").get("t").asText());
        assertEquals("tester@testhost", s.get("user").asText());
        JsonNode time = s.get("time");
        assertEquals(time.get("totalMs").asLong(), time.get("stepWorkMs").asLong() + time.get("ruleEvaluationsMs").asLong()
                + time.get("overheadMs").asLong(), "where the run's time went adds up: " + time);
        assertTrue(Fixtures.cli("status", "--state-dir", state.toString()).out().contains("  time: step work "));
        Fixtures.Cli history = Fixtures.cli("history", "--state-dir", state.toString(), "--output", "json");
        JsonNode h = JSON.readTree(history.out());
        assertEquals(1, h.size());
        assertEquals("tiny", h.get(0).get("runbook").asText());
        Fixtures.Cli text = Fixtures.cli("history", "--state-dir", state.toString());
        assertTrue(text.out().contains("tiny") && text.out().contains("SUCCEEDED"), text.out());
    }

    @Test
    void resume_unknownRun_invalidInput() {
        Fixtures.Cli r = Fixtures.cli("resume", "nope", "--state-dir", state.toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("no run 'nope'"), r.err());
    }

    @Test
    void run_invalidRunbook_exitTwoAndNoRunCreated() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", "name: bad\nsteps:\n  - id: x\n    type: exec\n    comand: \"true\"\n");
        Fixtures.Cli r = Fixtures.cli("run", "--state-dir", state.toString(), inv.toString(), rb.toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("rb.yaml:5:5") && r.err().contains("did you mean `command`?"), r.err());
        assertFalse(Files.exists(state.resolve("runs")));
    }

    @Test
    void run_unknownParamOverride_invalidInput() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", "name: p\nparams: { to: region2 }\nsteps:\n  - id: x\n    type: exec\n    command: \"true\"\n");
        Fixtures.Cli r = Fixtures.cli("run", "--state-dir", state.toString(), "-p", "too=x", inv.toString(), rb.toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("no parameter `too`") && r.err().contains("did you mean `to`?"), r.err());
    }
}
