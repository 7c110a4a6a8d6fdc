package io.drctl.orchestrator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.LoopbackCase;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Safety rules through the in-process CLI: when they are evaluated, what a violation does to the
 * run (exit 4, nothing further started), overrides with reasons, and strict validation. The rules
 * here are real {@code command} rules whose outcome the steps themselves change (a marker file), so
 * every assertion is about what actually ran.
 */
class SafetyRulesTest extends LoopbackCase {
    /** Journal events as "event step target" plus the rule id for rule events. */
    List<String> brief() throws IOException {
        return Fixtures.journal(Fixtures.onlyRun(state)).stream()
                .map(e -> e.brief() + (e.event().startsWith("rule.") ? " " + e.str("rule") : "")).toList();
    }

    List<String> briefWithoutActions() throws IOException {
        return brief().stream().filter(e -> !e.startsWith("action.")).toList();
    }

    /** The journal of {@link #THREE_STEPS} (without action events) until the rule is violated after step two. */
    static final List<String> VIOLATED_AFTER_TWO = List.of(
                "run.started",
                "rule.checked no-stop-marker",
                "step.started one",
                "step.finished one",
                "rule.checked no-stop-marker",
                "step.started two",
                "step.finished two",
                "rule.violated no-stop-marker");

    /** {@code head} followed by {@code rest}. */
    static List<String> then(List<String> head, String... rest) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(rest));
        return all;
    }

    /** Three steps; step two creates the marker the rule forbids. */
    static final String THREE_STEPS = """
            name: guarded
            rules:
              - id: no-stop-marker
                type: command
                description: the marker file must not exist
                command: "test ! -e DIR/stop || { echo 'DIR/stop exists'; exit 1; }"
            steps:
              - id: one
                type: exec
                command: "echo one >> OUT"
              - id: two
                type: exec
                command: "echo two >> OUT; touch DIR/stop"
                dependsOn: [one]
              - id: three
                type: exec
                command: "echo three >> OUT"
                dependsOn: [two]
            """;

    @Test
    void run_ruleViolatedBeforeTheRun_executesNothingAndExitsFour() throws Exception {
        Files.createFile(tmp.resolve("stop"));
        Fixtures.Cli r = run(THREE_STEPS).assertExit(ExitCodes.REFUSED);
        assertEquals(List.of(), lines(), "no step may run");
        assertEquals(List.of(
                "run.started",
                "rule.violated no-stop-marker",
                "step.finished one",
                "step.finished two",
                "step.finished three",
                "run.finished"), brief());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        assertEquals("command", events.get(1).str("type"));
        assertEquals("before the first step", events.get(1).str("when"));
        assertTrue(events.get(1).str("detail").contains(tmp.resolve("stop") + " exists"), events.get(1).str("detail"));
        assertEquals("SKIPPED", events.get(2).str("status"));
        assertEquals("run stopped by a violated safety rule", events.get(2).str("reason"));
        assertEquals("REFUSED", events.get(5).str("status"));
        // the message names the rule, what was seen, and how to resume or override
        String runId = onlyRunId();
        assertTrue(r.err().contains("refused by safety rule `no-stop-marker` (command): check command"), r.err());
        assertTrue(r.err().contains(tmp.resolve("stop") + " exists (before the first step)"), r.err());
        assertTrue(r.err().contains("./drctl resume " + runId + " --state-dir " + state + " --override-rule no-stop-marker --reason"),
                r.err());
    }

    @Test
    void run_ruleViolatedAfterStepTwo_stepThreeNeverStarts() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS).assertExit(ExitCodes.REFUSED);
        assertEquals(List.of("one", "two"), lines());
        assertEquals(then(VIOLATED_AFTER_TWO,
                "step.finished three",
                "run.finished"), briefWithoutActions());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        JournalEvent violated = events.stream().filter(e -> e.event().equals("rule.violated")).findFirst().orElseThrow();
        assertEquals("after two", violated.str("when"));
        JournalEvent checked = events.stream().filter(e -> e.event().equals("rule.checked")).findFirst().orElseThrow();
        assertEquals(true, checked.data().get("ok"));
        assertEquals("REFUSED", events.get(events.size() - 1).str("status"));
        assertTrue(r.err().contains("(after two)"), r.err());
    }

    @Test
    void resume_afterRefusal_ruleHoldsAgain_runsTheRest() throws Exception {
        run(THREE_STEPS);
        String runId = onlyRunId();
        Files.delete(tmp.resolve("stop")); // the operator fixed the cause
        Fixtures.Cli r = resume(runId).assertExit(ExitCodes.OK);
        assertEquals(List.of("one", "two", "three"), lines());
        List<String> b = briefWithoutActions();
        List<String> afterResume = b.subList(b.indexOf("run.resumed"), b.size());
        assertEquals(List.of(
                "run.resumed",
                "rule.checked no-stop-marker",
                "step.already-done one",
                "step.already-done two",
                "step.started three",
                "step.finished three",
                "rule.checked no-stop-marker",
                "run.finished"), afterResume);
    }

    @Test
    void run_overrideWithReason_continuesAndJournalsTheOverride() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS, "--override-rule", "no-stop-marker", "--reason", "marker is expected in this test")
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("one", "two", "three"), lines());
        assertEquals(then(VIOLATED_AFTER_TWO,
                "rule.overridden no-stop-marker",
                "step.started three",
                "step.finished three",
                "rule.violated no-stop-marker",
                "rule.overridden no-stop-marker",
                "run.finished"), briefWithoutActions());
        JournalEvent o = Fixtures.journal(Fixtures.onlyRun(state)).stream().filter(e -> e.event().equals("rule.overridden"))
                .findFirst().orElseThrow();
        assertEquals("marker is expected in this test", o.str("reason"));
        assertEquals("tester@testhost", o.str("user"));
        assertEquals("after two", o.str("when"));
        assertTrue(o.str("detail").contains("exists"), o.str("detail"));
        assertEquals(java.util.Map.of("no-stop-marker", "marker is expected in this test"),
                Fixtures.journal(Fixtures.onlyRun(state)).get(0).data().get("ruleOverrides"));
    }

    @Test
    void resume_afterRefusal_withOverride_runsTheRest() throws Exception {
        run(THREE_STEPS);
        String runId = onlyRunId();
        Fixtures.Cli r = resume(runId, "--override-rule", "no-stop-marker",
                "--reason", "checked by hand").assertExit(ExitCodes.OK);
        assertEquals(List.of("one", "two", "three"), lines());
        assertTrue(brief().contains("rule.overridden no-stop-marker"));
    }

    @Test
    void run_overrideWithoutReason_exitTwoAndNothingRuns() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS, "--override-rule", "no-stop-marker").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("--override-rule no-stop-marker needs --reason"), r.err());
        assertEquals(List.of(), lines());
        assertFalse(Files.exists(state.resolve("runs")) && Files.list(state.resolve("runs")).findAny().isPresent(),
                "no run may be created");
    }

    @Test
    void run_overrideWithBlankReason_exitTwo() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS, "--override-rule", "no-stop-marker", "--reason", "  ")
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("--reason for rule no-stop-marker is empty"), r.err());
        assertEquals(List.of(), lines());
    }

    @Test
    void run_overrideOfUnknownRule_exitTwoWithHint() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS, "--override-rule", "no-stop-makrer", "--reason", "typo")
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("runbook `guarded` has no rule `no-stop-makrer`"), r.err());
        assertTrue(r.err().contains("did you mean `no-stop-marker`?"), r.err());
        assertEquals(List.of(), lines());
    }

    @Test
    void resume_overrideOfUnknownRule_exitTwo() throws Exception {
        run(THREE_STEPS);
        String runId = onlyRunId();
        Fixtures.Cli r = resume(runId, "--override-rule", "other", "--reason", "x").assertExit(ExitCodes.INVALID_INPUT);
        assertEquals(List.of("one", "two"), lines());
    }

    @Test
    void runDryRun_violatedRule_refusesAndExecutesNothing() throws Exception {
        Files.createFile(tmp.resolve("stop"));
        Fixtures.Cli r = run(THREE_STEPS, "--dry-run").assertExit(ExitCodes.REFUSED);
        assertEquals(List.of(), lines());
        assertTrue(brief().contains("rule.violated no-stop-marker"));
    }

    @Test
    void runDryRun_ruleHolds_checkedOnceBeforeTheFirstStep() throws Exception {
        Fixtures.Cli r = run(THREE_STEPS, "--dry-run").assertExit(ExitCodes.OK);
        assertEquals(List.of(), lines());
        assertFalse(Files.exists(tmp.resolve("stop")));
        assertEquals(1, brief().stream().filter(e -> e.startsWith("rule.")).count(), brief().toString());
        assertEquals("rule.checked no-stop-marker", brief().get(1));
    }

    /**
     * Rules are evaluated only when no step is in flight: while {@code slow} runs (and holds a
     * "busy" file the rule forbids), {@code fast} finishing must not trigger an evaluation.
     */
    @Test
    void run_parallelSteps_rulesEvaluatedOnlyWhenNoStepIsInFlight() throws Exception {
        Fixtures.Cli r = run("""
                name: parallel
                rules:
                  - { id: not-busy, type: command, command: "test ! -e DIR/busy" }
                steps:
                  - id: slow
                    type: exec
                    command: "touch DIR/busy; i=0; while [ ! -e DIR/fast-done ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; sleep 0.3; rm DIR/busy; echo slow >> OUT"
                  - id: fast
                    type: exec
                    command: "i=0; while [ ! -e DIR/busy ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; touch DIR/fast-done; echo fast >> OUT"
                  - id: last
                    type: exec
                    command: "echo last >> OUT"
                    dependsOn: [slow, fast]
                """);
        assertEquals(ExitCodes.OK, r.code(), r.all());
        assertEquals(List.of("fast", "slow", "last"), lines());
        List<String> b = briefWithoutActions().stream().filter(e -> e.startsWith("rule.") || e.startsWith("step.finished")).toList();
        assertEquals(List.of(
                "rule.checked not-busy",      // before the first step
                "step.finished fast",         // slow still in flight: no evaluation
                "step.finished slow",
                "rule.checked not-busy",      // quiescent: evaluated
                "step.finished last",
                "rule.checked not-busy"), b);
    }

    @Test
    void validate_badRuleFields_exitTwoWithLinesAndHints() throws Exception {
        Path rb = Fixtures.write(tmp, "bad.yaml", """
                name: bad
                rules:
                  - id: one-dbms
                    type: single-dbms-reachable
                    form: "role=app"
                    dbms: "role=dbms"
                    port: dbsm
                  - id: dns
                    type: records-in-one-regoin
                    records: [svc]
                  - id: one-dbms
                    type: records-in-one-region
                    records: [svk]
                  - id: cmd
                    type: command
                    command: "true"
                    timeout: soon
                    extra: ${nope}
                  - type: command
                    command: "true"
                steps:
                  - { id: a, type: exec, command: "true" }
                """);
        Fixtures.Cli r = Fixtures.cli("validate", inv.toString(), rb.toString()).assertExit(ExitCodes.INVALID_INPUT);
        String f = rb.toString();
        for (String expected : List.of(
                f + ":3:5: rules[0].from: rule `one-dbms` of type `single-dbms-reachable` needs `from`",
                f + ":5:5: rules[0].form: unknown key `form` for rule type `single-dbms-reachable` (did you mean `from`?)",
                f + ":7:11: rules[0].port: `port`: unknown port name `dbsm` (did you mean `dbms`?)",
                f + ":9:11: rules[1].type: rule `dns`: unknown rule type `records-in-one-regoin` (did you mean `records-in-one-region`?)",
                f + ":11:9: rules[2].id: duplicate rule id `one-dbms` (first at line 3)",
                f + ":13:15: rules[2].records[0]: `records`: unknown record `svk` (did you mean `svc`?)",
                f + ":17:14: rules[3].timeout: `timeout` must be a duration",
                ":18:5: rules[3].extra: unknown key `extra` for rule type `command`",
                ":18:12: rules[3].extra: undefined parameter `${nope}`",
                ":19:5: rules[4].id: missing required key `id`")) {
            assertTrue(r.err().contains(expected), "missing <" + expected + "> in:\n" + r.err());
        }
    }

    @Test
    void validate_singleDbmsWithOneDbmsHost_exitTwo() throws Exception {
        Path rb = Fixtures.write(tmp, "one.yaml", """
                name: one
                rules:
                  - { id: one-dbms, type: single-dbms-reachable, from: "role=app", dbms: "region=region1 role=dbms", port: dbms }
                steps:
                  - { id: a, type: exec, command: "true" }
                """);
        Fixtures.Cli r = Fixtures.cli("validate", inv.toString(), rb.toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains(":3:") && r.err().contains("`dbms` selects 1 host(s); the rule needs at least 2"), r.err());
    }

    @Test
    void validate_rulesNotAList_exitTwo() throws Exception {
        Path rb = Fixtures.write(tmp, "nl.yaml", """
                name: nl
                rules: { id: x }
                steps:
                  - { id: a, type: exec, command: "true" }
                """);
        Fixtures.Cli r = Fixtures.cli("validate", inv.toString(), rb.toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains(":2:8: rules: `rules` must be a list, found a mapping"), r.err());
    }

    static final String DRILL_RUNBOOK = """
            name: NAME
            params:
              from: { default: region1 }
              to: { default: region2 }
            rules:
              - { id: no-stop-marker, type: command, command: "test ! -e DIR/stop" }
            steps:
              - { id: move, type: exec, command: "echo NAME ${from}-${to} >> OUT" }
            """;

    Fixtures.Cli drill(String... extra) throws IOException {
        Path over = Fixtures.write(tmp, "over.yaml", DRILL_RUNBOOK.replace("NAME", "over").replace("OUT", tmp.resolve("out.txt").toString())
                .replace("DIR", tmp.toString()));
        Path back = Fixtures.write(tmp, "back.yaml", DRILL_RUNBOOK.replace("NAME", "back").replace("OUT", tmp.resolve("out.txt").toString())
                .replace("DIR", tmp.toString()));
        List<String> args = new ArrayList<>(List.of("drill", "--state-dir", state.toString(), "-i", inv.toString(),
                "--failover", over.toString(), "--failback", back.toString(), "--no-readiness"));
        args.addAll(List.of(extra));
        return Fixtures.cli(args.toArray(String[]::new));
    }

    @Test
    void drill_failoverRefused_stopsWithExitFourAndWritesTheReport() throws Exception {
        Files.createFile(tmp.resolve("stop"));
        Fixtures.Cli r = drill().assertExit(ExitCodes.REFUSED);
        assertEquals(List.of(), lines(), "neither failover nor failback may run");
        assertTrue(r.err().contains("failover refused by a safety rule; the drill stops here."), r.err());
        assertTrue(r.err().contains("refused by safety rule `no-stop-marker` (command)"), r.err());
        assertTrue(r.out().contains("report: "), r.out());
    }

    @Test
    void drill_overrideAppliesToBothRuns() throws Exception {
        Files.createFile(tmp.resolve("stop"));
        Fixtures.Cli r = drill("--override-rule", "no-stop-marker", "--reason", "drill with the marker present")
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("over region1-region2", "back region2-region1"), lines());
    }

    @Test
    void drill_overrideOfUnknownRule_exitTwoBeforeAnything() throws Exception {
        Fixtures.Cli r = drill("--override-rule", "nope", "--reason", "x").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("has no rule `nope`"), r.err());
        assertEquals(List.of(), lines());
    }

    @Test
    void planOffline_shippedFailover_listsItsSafetyRules() {
        Fixtures.Cli r = Fixtures.cli("plan", "--offline", Fixtures.repoRoot().resolve("inventory/example.yaml").toString(),
                Fixtures.repoRoot().resolve("runbooks/full-failover.yaml").toString()).assertExit(ExitCodes.OK);
        assertTrue(r.out().contains("Safety rules (checked before the first step and between steps"), r.out());
        assertTrue(r.out().contains("    one-dbms [single-dbms-reachable]  # "), r.out());
        assertTrue(r.out().contains("    dns-one-region [records-in-one-region]  # "), r.out());
    }

    @Test
    void run_afterAStepThatChangesNothing_theRuleIsNotEvaluatedAgain_andTheJournalSaysSinceWhen() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            run("""
                    name: guarded
                    rules:
                      - id: counted
                        type: command
                        description: records each evaluation
                        command: "echo evaluated >> DIR/evaluations"
                    steps:
                      - id: one
                        type: exec
                        command: "echo one >> OUT"
                      - id: wait
                        type: wait.tcp
                        hosts: "region=region1 role=app"
                        port: %d
                        within: 10s
                        dependsOn: [one]
                      - id: three
                        type: exec
                        command: "echo three >> OUT"
                        dependsOn: [wait]
                    """.formatted(listening.getLocalPort())).assertExit(ExitCodes.OK);
        }
        // a command rule reads anything an exec step may change; the read-only wait changes nothing
        assertEquals(3, Files.readAllLines(tmp.resolve("evaluations")).size(), "before the first step, after one, after three");
        List<JournalEvent> checked = Fixtures.journal(Fixtures.onlyRun(state)).stream()
                .filter(e -> e.event().equals("rule.checked")).toList();
        assertEquals(List.of("before the first step", "after one", "after wait", "after three"),
                checked.stream().map(e -> e.str("when")).toList());
        assertEquals(List.of(true, true, true, true), checked.stream().map(e -> e.data().get("ok")).toList());
        assertNull(checked.get(1).str("unchangedSince"));
        assertEquals("after one", checked.get(2).str("unchangedSince"), "the wait could not change what the rule reads");
        assertNull(checked.get(3).str("unchangedSince"));
    }
}
