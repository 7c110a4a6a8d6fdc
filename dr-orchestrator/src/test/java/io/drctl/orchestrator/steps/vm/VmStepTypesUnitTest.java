package io.drctl.orchestrator.steps.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.StepHarness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vm.start}, {@code vm.stop} and {@code vm.status} through their public contract, with a {@code kind: command}
 * provider whose power state is a file in a temp dir (start/stop write it, status reads it: unprivileged local
 * commands), and guests that answer on 127.0.0.1 (an SSH banner, a TCP port).
 */
class VmStepTypesUnitTest {
    @TempDir
    Path tmp;

    Path power;
    ServerSocket sshd;
    ServerSocket svc;
    final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void guests() throws Exception {
        power = Files.createDirectories(tmp.resolve("power"));
        sshd = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        svc = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread banner = new Thread(() -> {
            while (!sshd.isClosed()) {
                try (Socket s = sshd.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // closed
                }
            }
        }, "sshd-banner");
        banner.setDaemon(true);
        banner.start();
        threads.add(banner);
    }

    @AfterEach
    void close() throws Exception {
        sshd.close();
        if (!svc.isClosed()) {
            svc.close();
        }
        for (Thread t : threads) {
            t.join(2000);
        }
    }

    StepHarness harness() throws Exception {
        String inv = """
                name: vm-test
                ssh: { user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }
                ports: { svc: SVC }
                regions:
                  region2:
                    hosts:
                      fw:  { address: 127.0.0.1, roles: [framework], vm: { provider: files, id: fw2 }, ssh: { port: SSHD } }
                      app: { address: 127.0.0.1, roles: [app], vm: { provider: files, id: app2 } }
                providers:
                  files: { kind: command, start: "echo poweredOn > POWER/{id}", stop: "echo poweredOff > POWER/{id}",
                           status: "cat POWER/{id}", running: "^poweredOn", stopped: "^poweredOff" }
                """.replace("SVC", Integer.toString(svc.getLocalPort())).replace("SSHD", Integer.toString(sshd.getLocalPort()))
                .replace("POWER", power.toString());
        return StepHarness.load(tmp, inv, """
                name: vm
                steps:
                  - { id: start, type: vm.start, hosts: "role=framework", waitFor: [ssh, svc], within: 10s }
                  - { id: stop, type: vm.stop, hosts: "role=framework" }
                  - { id: dormant, type: vm.status, hosts: "role=framework", expect: stopped }
                  - { id: up, type: vm.status, hosts: "role=framework", expect: running }
                """);
    }

    void state(String id, String s) throws Exception {
        Files.writeString(power.resolve(id), s + "\n");
    }

    String state(String id) throws Exception {
        return Files.readString(power.resolve(id)).strip();
    }

    // ------------------------------------------------------------------ vm.start

    @Test
    void start_stoppedVm_needed_powersOnAndWaitsForTheGuest_verified_revertPowersOff() throws Exception {
        state("fw2", "poweredOff");
        StepHarness h = harness();
        Action a = h.action("start");
        assertEquals("region2/fw", a.target());
        assertEquals(Probe.needed("STOPPED (poweredOff)", "running, [ssh, svc] answering"), a.probe(h.ctx("start")));
        Applied applied = a.apply(h.ctx("start"));
        assertEquals("poweredOn", state("fw2"));
        assertTrue(applied.summary().startsWith("powered on: STOPPED (poweredOff) -> RUNNING (poweredOn); guest ready after 0 ms"),
                applied.summary());
        Verified v = a.verify(h.ctx("start"));
        assertTrue(v.ok(), v.detail());
        assertEquals(1, h.evidence.size(), h.evidence.toString());
        assertEquals("drctl", h.evidence.get(0).observer());
        assertEquals("running, [ssh, svc] answering", h.evidence.get(0).expected());
        assertTrue(h.evidence.get(0).ok() && h.evidence.get(0).observed().startsWith("RUNNING (poweredOn)"), h.evidence.toString());
        assertTrue(a.probe(h.ctx("start")).isSatisfied());
        assertTrue(a.revertible());
        assertEquals(Reverted.done("powered off region2/fw: RUNNING (poweredOn) -> STOPPED (poweredOff)"), a.revert(h.ctx("start")));
        assertEquals("poweredOff", state("fw2"));
    }

    @Test
    void start_runningButAGuestPortSilent_needed_applyGivesUpAfterWithinOnTheFakeClock_retriable() throws Exception {
        state("fw2", "poweredOn");
        svc.close();
        StepHarness h = harness();
        Action a = h.action("start");
        Probe p = a.probe(h.ctx("start"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.current().startsWith("RUNNING (poweredOn), ["), p.current());
        assertTrue(p.current().contains("connection refused"), p.current());
        StepFailure f = assertThrows(StepFailure.class, () -> a.apply(h.ctx("start")));
        assertTrue(f.isRetriable());
        assertTrue(f.getMessage().contains("not ready after 10 s (timeout 10 s"), f.getMessage());
        assertTrue(f.getMessage().contains("connection refused"), f.getMessage());
        assertEquals(10, h.pauses.size(), "polled every second of fake time: " + h.pauses);
        assertFalse(a.verify(h.ctx("start")).ok());
    }

    @Test
    void start_alreadyRunningAndAnswering_satisfied_applyRunsNoStartCommand() throws Exception {
        state("fw2", "poweredOn");
        StepHarness h = harness();
        Action a = h.action("start");
        assertTrue(a.probe(h.ctx("start")).isSatisfied());
        Files.setLastModifiedTime(power.resolve("fw2"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertTrue(a.apply(h.ctx("start")).summary().startsWith("already on: RUNNING (poweredOn) -> RUNNING (poweredOn)"));
        assertEquals(0, Files.getLastModifiedTime(power.resolve("fw2")).toMillis(), "start template not run");
    }

    @Test
    void start_unknownPowerState_refusedRetriable() throws Exception {
        state("fw2", "suspended");
        StepHarness h = harness();
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("start").apply(h.ctx("start")));
        assertTrue(f.isRetriable());
        assertTrue(f.getMessage().contains("is in an unknown power state 'suspended'"), f.getMessage());
        assertEquals("suspended", state("fw2"));
    }

    @Test
    void start_statusCommandFails_notRetriable_namingTheExit() throws Exception {
        StepHarness h = harness(); // no power file: `cat` exits 1
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("start").apply(h.ctx("start")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().contains("expected exit 0, got 1"), f.getMessage());
    }

    // ------------------------------------------------------------------ vm.stop

    @Test
    void stop_running_needed_powersOff_alreadyStopped_satisfied_revertPowersOn() throws Exception {
        state("fw2", "poweredOn");
        StepHarness h = harness();
        Action a = h.action("stop");
        assertEquals(Probe.needed("RUNNING (poweredOn)", "stopped"), a.probe(h.ctx("stop")));
        assertEquals("powered off: RUNNING (poweredOn) -> STOPPED (poweredOff)", a.apply(h.ctx("stop")).summary());
        assertEquals(Verified.ok("STOPPED (poweredOff)"), a.verify(h.ctx("stop")));
        assertEquals("already off: STOPPED (poweredOff) -> STOPPED (poweredOff)", a.apply(h.ctx("stop")).summary());
        a.revert(h.ctx("stop"));
        assertEquals("poweredOn", state("fw2"));
    }

    // ------------------------------------------------------------------ vm.status

    @Test
    void status_readsThePowerState_neverChangesIt() throws Exception {
        state("fw2", "poweredOff");
        StepHarness h = harness();
        Action dormant = h.action("dormant");
        Action up = h.action("up");
        assertFalse(dormant.changes());
        assertEquals(Probe.satisfied("STOPPED (poweredOff)", "stopped"), dormant.probe(h.ctx("dormant")));
        assertEquals(Probe.needed("STOPPED (poweredOff)", "running"), up.probe(h.ctx("up")));
        assertEquals("read-only check: nothing changed", up.apply(h.ctx("up")).summary());
        assertEquals(Verified.failed("region2/fw: expected running, saw STOPPED (poweredOff)"), up.verify(h.ctx("up")));
        assertEquals("poweredOff", state("fw2"), "a check powers nothing");
        assertTrue(dormant.verify(h.ctx("dormant")).ok());
    }
}
