package io.drctl.orchestrator.steps.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.FakeClock;
import io.drctl.orchestrator.steps.StepHarness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec}, {@code ssh}, {@code wait.tcp} and {@code approval} through their public contract: loaded from YAML,
 * found by name, expanded, and each verb called with a fake clock and scripted hosts. {@code exec} runs real local
 * commands in a temp dir; {@code wait.tcp} connects to listeners on 127.0.0.1.
 */
class CoreStepTypesTest {
    @TempDir
    Path tmp;

    private ServerSocket listener;
    private Thread greeter;

    @AfterEach
    void closeListener() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (greeter != null) {
            greeter.join(2000);
        }
    }

    StepHarness load(String steps) throws Exception {
        return StepHarness.load(tmp, Fixtures.LOOPBACK_INVENTORY, "name: t\nparams:\n  to: { default: region2 }\nsteps:\n"
                + steps.replace("TMP", tmp.toString()));
    }

    // ------------------------------------------------------------------ exec

    @Test
    void exec_withoutUnless_probeUnknown_applyRunsTheCommand_verifiedByApply_notRevertible() throws Exception {
        StepHarness h = load("  - { id: mark, type: exec, command: \"echo ran >> TMP/out\" }\n");
        Action a = h.action("mark");
        assertEquals("local", a.target());
        assertTrue(a.changes());
        Probe p = a.probe(h.ctx("mark"));
        assertEquals(Probe.State.UNKNOWN, p.state());
        assertEquals("unknown (no `unless` check)", p.current());
        Applied applied = a.apply(h.ctx("mark"));
        assertTrue(applied.summary().startsWith("exit 0 in "), applied.summary());
        assertEquals("ran\n", Files.readString(tmp.resolve("out")));
        assertEquals(Verified.byApply(), a.verify(h.ctx("mark")));
        assertFalse(a.revertible());
        assertFalse(a.revert(h.ctx("mark")).reverted());
    }

    @Test
    void exec_unless_passing_isSatisfied_failing_isNeeded_andVerifiesAfterTheCommand() throws Exception {
        StepHarness h = load("  - { id: mark, type: exec, command: \"touch TMP/done\", unless: \"test -f TMP/done\" }\n");
        Action a = h.action("mark");
        Probe before = a.probe(h.ctx("mark"));
        assertEquals(Probe.needed("`unless` check exits 1", "`unless` check exits 0"), before);
        a.apply(h.ctx("mark"));
        assertEquals(Verified.ok("`unless` check exits 0"), a.verify(h.ctx("mark")));
        assertEquals(Probe.satisfied("`unless` check exits 0", "`unless` check exits 0"), a.probe(h.ctx("mark")));
    }

    @Test
    void exec_commandThatDoesNotMakeUnlessPass_failsVerificationNamingTheCheck() throws Exception {
        StepHarness h = load("  - { id: mark, type: exec, command: \"true\", unless: \"test -f TMP/never\" }\n");
        Action a = h.action("mark");
        a.apply(h.ctx("mark"));
        Verified v = a.verify(h.ctx("mark"));
        assertFalse(v.ok());
        assertTrue(v.detail().endsWith("after the command, expected the `unless` check to exit 0, got 1"), v.detail());
    }

    @Test
    void exec_dryRun_runsUnlessOnlyWhenDeclaredReadOnly() throws Exception {
        StepHarness h = load("""
                  - { id: plain, type: exec, command: "true", unless: "touch TMP/plain-ran" }
                  - { id: ro, type: exec, command: "true", unless: "touch TMP/ro-ran", unlessReadOnly: true }
                """);
        h.dryRun = true;
        Probe plain = h.action("plain").probe(h.ctx("plain"));
        assertEquals(Probe.State.UNKNOWN, plain.state());
        assertTrue(plain.current().contains("`unless` not run in a dry run: it is not declared read-only"), plain.current());
        assertFalse(Files.exists(tmp.resolve("plain-ran")), "a dry run ran an undeclared `unless`");
        assertEquals(Probe.State.SATISFIED, h.action("ro").probe(h.ctx("ro")).state());
        assertTrue(Files.exists(tmp.resolve("ro-ran")));
    }

    @Test
    void exec_unexpectedExit_isARetriableFailureQuotingTheLastLine_expectExitAccepted() throws Exception {
        StepHarness h = load("""
                  - { id: bad, type: exec, command: "echo first; echo 'disk full' >&2; exit 3" }
                  - { id: three, type: exec, command: "exit 3", expectExit: 3 }
                """);
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("bad").apply(h.ctx("bad")));
        assertTrue(f.getMessage().endsWith(": expected exit 0, got 3: disk full"), f.getMessage());
        assertTrue(f.isRetriable(), "retried only when the step's retry policy asks");
        assertTrue(h.action("three").apply(h.ctx("three")).summary().startsWith("exit 3"));
    }

    @Test
    void exec_paramsReachTheCommandQuoted_andAsEnvironment_withTheStepsEnv() throws Exception {
        StepHarness h = StepHarness.load(tmp, Fixtures.LOOPBACK_INVENTORY, """
                name: t
                params:
                  note: { default: "a b; rm -rf /" }
                steps:
                  - id: show
                    type: exec
                    command: "printf '%s|%s|%s' ${note} \\"$DRCTL_PARAM_NOTE\\" \\"$SITE\\" > TMP/out"
                    env: { SITE: lab }
                """.replace("TMP", tmp.toString()));
        h.action("show").apply(h.ctx("show"));
        assertEquals("a b; rm -rf /|a b; rm -rf /|lab", Files.readString(tmp.resolve("out")));
    }

    @Test
    void exec_revert_runsTheRevertCommand_failingRevertIsNotRetriable() throws Exception {
        StepHarness h = load("""
                  - { id: ok, type: exec, command: "true", revert: "echo undone > TMP/undo" }
                  - { id: bad, type: exec, command: "true", revert: "echo nope >&2; exit 5" }
                """);
        Action ok = h.action("ok");
        assertTrue(ok.revertible());
        assertEquals(Reverted.done("revert command exit 0"), ok.revert(h.ctx("ok")));
        assertEquals("undone\n", Files.readString(tmp.resolve("undo")));
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("bad").revert(h.ctx("bad")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().endsWith("revert command exited 5: nope"), f.getMessage());
    }

    // ------------------------------------------------------------------ ssh

    @Test
    void ssh_oneActionPerHost_eachCommandGoesToItsHost() throws Exception {
        StepHarness h = load("  - { id: s, type: ssh, hosts: \"role=app\", command: \"systemctl restart proxy\" }\n");
        List<Action> actions = h.actions("s");
        assertEquals(List.of("region1/app", "region2/app"), actions.stream().map(Action::target).toList());
        h.host("region1/app").whenContains("systemctl restart proxy", 0, "");
        h.host("region2/app").whenContains("systemctl restart proxy", 0, "");
        for (Action a : actions) {
            a.apply(h.ctx("s"));
        }
        assertEquals(List.of("systemctl restart proxy"), h.host("region1/app").commands());
        assertEquals(List.of("systemctl restart proxy"), h.host("region2/app").commands());
    }

    @Test
    void ssh_unlessOnTheHost_decidesSatisfiedOrNeeded_failureNamesTheHost() throws Exception {
        StepHarness h = load("  - { id: s, type: ssh, hosts: \"region=region1 role=app\", command: \"start-it\", unless: \"is-up\" }\n");
        Action a = h.action("s");
        h.host("region1/app").whenContains("is-up", 0, "");
        assertTrue(a.probe(h.ctx("s")).isSatisfied());
        h.host("region1/app").whenContains("is-up", 1, "");
        assertEquals(Probe.State.NEEDED, a.probe(h.ctx("s")).state());
        h.host("region1/app").on(c -> c.equals("start-it"), c -> io.drctl.orchestrator.steps.ScriptedRunner.result(2, "", "unit not found"));
        StepFailure f = assertThrows(StepFailure.class, () -> a.apply(h.ctx("s")));
        assertEquals("scripted region1/app: expected exit 0, got 2: unit not found", f.getMessage());
    }

    @Test
    void ssh_unreachableHost_surfacesTheHostAccessKind() throws Exception {
        StepHarness h = load("  - { id: s, type: ssh, hosts: \"region=region2 role=app\", command: \"true\" }\n");
        h.unreachable.put("region2/app", HostAccessException.Kind.UNREACHABLE);
        HostAccessException e = assertThrows(HostAccessException.class, () -> h.action("s").apply(h.ctx("s")));
        assertEquals(HostAccessException.Kind.UNREACHABLE, e.kind());
        h.unreachable.put("region2/app", HostAccessException.Kind.CHANGED_HOST_KEY);
        assertEquals(HostAccessException.Kind.CHANGED_HOST_KEY,
                assertThrows(HostAccessException.class, () -> h.action("s").apply(h.ctx("s"))).kind());
    }

    // ------------------------------------------------------------------ wait.tcp

    int listen() throws Exception {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        return listener.getLocalPort();
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A listener that sends {@code line} to every client. */
    int greet(String line) throws Exception {
        int port = listen();
        greeter = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept(); OutputStream out = s.getOutputStream()) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    // closed
                }
            }
        }, "greeter");
        greeter.setDaemon(true);
        greeter.start();
        return port;
    }

    @Test
    void waitTcp_listening_satisfied_applyAcceptsAtOnce_observesOnly() throws Exception {
        int port = listen();
        StepHarness h = load("  - { id: w, type: wait.tcp, hosts: \"region=region1 role=app\", port: " + port + " }\n");
        Action a = h.action("w");
        assertFalse(a.changes(), "a check never enters rollback");
        String where = "127.0.0.1:" + port;
        assertEquals(Probe.satisfied(where + " accepts", where + " accepts"), a.probe(h.ctx("w")));
        assertEquals(where + " accepted after 0ms", a.apply(h.ctx("w")).summary());
        assertEquals(Verified.ok(where + " accepts"), a.verify(h.ctx("w")));
        assertEquals(List.of(new Evidence("drctl", where, "accepted", where + " accepts", true)), h.evidence);
    }

    @Test
    void waitTcp_nothingListening_needed_andGivesUpAfterWithinOnTheFakeClock_retriable() throws Exception {
        int port = closedPort();
        StepHarness h = load("  - { id: w, type: wait.tcp, hosts: \"region=region1 role=app\", port: " + port
                + ", within: 30s, interval: 1s }\n");
        Action a = h.action("w");
        Probe p = a.probe(h.ctx("w"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertEquals("127.0.0.1:" + port + " connect", p.current());
        long realStart = System.nanoTime();
        java.time.Instant fakeStart = h.clock.instant();
        StepFailure f = assertThrows(StepFailure.class, () -> a.apply(h.ctx("w")));
        assertTrue(f.isRetriable());
        assertEquals("region1/app: expected 127.0.0.1:" + port + " to accept TCP within 30s, last attempt: connect", f.getMessage());
        assertTrue(Duration.between(fakeStart, h.clock.instant()).compareTo(Duration.ofSeconds(30)) >= 0, "30 s passed on the fake clock");
        assertTrue(Duration.ofNanos(System.nanoTime() - realStart).compareTo(Duration.ofSeconds(2)) < 0, "and nearly none for real");
        assertFalse(a.verify(h.ctx("w")).ok());
    }

    @Test
    void waitTcp_inventoryPortGreeting_mustMatch_stepExpectOverrides() throws Exception {
        int port = greet("CS BUSY");
        String inv = Fixtures.LOOPBACK_INVENTORY.replace("ports: { svc: 2020, dbms: 5432 }",
                "ports: { svc: { port: " + port + ", expect: \"^CS OK\" }, dbms: 5432 }");
        StepHarness h = StepHarness.load(tmp, inv, """
                name: t
                steps:
                  - { id: w, type: wait.tcp, hosts: "region=region1 role=app", port: svc, within: 2s, interval: 1s }
                  - { id: any, type: wait.tcp, hosts: "region=region1 role=app", port: svc, expect: "^CS" }
                """);
        Probe p = h.action("w").probe(h.ctx("w"));
        assertEquals(Probe.needed("127.0.0.1:" + port + " greeted 'CS BUSY', expected /^CS OK/",
                "127.0.0.1:" + port + " accepts, greets /^CS OK/"), p);
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("w").apply(h.ctx("w")));
        assertTrue(f.getMessage().endsWith("last attempt: greeted 'CS BUSY', expected /^CS OK/"), f.getMessage());
        assertTrue(h.action("any").probe(h.ctx("any")).isSatisfied(), "the step's own expect wins over the inventory's");
        // evidence: what the service answered, word for word, against the wanted greeting
        assertFalse(h.action("w").verify(h.ctx("w")).ok());
        assertTrue(h.action("any").verify(h.ctx("any")).ok());
        assertEquals(List.of(
                new Evidence("drctl", "127.0.0.1:" + port, "greeted 'CS BUSY', expected /^CS OK/", "127.0.0.1:" + port
                        + " accepts, greets /^CS OK/", false),
                new Evidence("drctl", "127.0.0.1:" + port, "accepted, greeted 'CS BUSY'", "127.0.0.1:" + port
                        + " accepts, greets /^CS/", true)), h.evidence);
    }

    // ------------------------------------------------------------------ approval

    @Test
    void approval_probeReadsRecordedApproval_applyNotesWhoApproved_revertHasNothingToUndo() throws Exception {
        StepHarness h = load("  - { id: go, type: approval, message: \"fail over to ${to}?\" }\n");
        Action a = h.action("go");
        assertEquals("ask: fail over to region2?", a.description());
        assertEquals(Probe.needed("not approved", "approved"), a.probe(h.ctx("go")));
        assertFalse(a.verify(h.ctx("go")).ok());
        h.approved.put("go", new Approvals.Approval("alice@ops1", "tty", h.clock.instant()));
        assertEquals(Probe.satisfied("approved by alice@ops1 via tty", "approved"), a.probe(h.ctx("go")));
        assertEquals("approved by alice@ops1 via tty", a.apply(h.ctx("go")).summary());
        assertEquals(Map.of("approvedBy", "alice@ops1", "approvedVia", "tty"), h.notes);
        assertEquals(Verified.ok("approved by alice@ops1"), a.verify(h.ctx("go")));
        assertEquals(Reverted.done("an approval has nothing to undo"), a.revert(h.ctx("go")));
    }

    @Test
    void approval_rejected_failsWithoutRetry() throws Exception {
        StepHarness h = load("  - { id: go, type: approval, message: \"go?\" }\n");
        h.rejected.put("go", "region 1 is back");
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("go").apply(h.ctx("go")));
        assertFalse(f.isRetriable());
        assertTrue(h.notes.isEmpty(), "no approval journaled");
    }

    @Test
    void fakeClock_movesOnlyWhenPaused() {
        FakeClock c = FakeClock.atRealTime();
        java.time.Instant t = c.instant();
        assertEquals(t, c.instant());
        c.advance(Duration.ofSeconds(5));
        assertEquals(t.plusSeconds(5), c.instant());
    }
}
