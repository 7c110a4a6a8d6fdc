package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.access.SshHostAccess;
import io.drctl.orchestrator.cli.CliRuntime;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.steps.Builtins;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --assume-lost}: a lost host's SSH, a lost DNS server's queries and TCP probes to a lost address are never
 * sent (listeners on 127.0.0.1 count what arrives: nothing), each refusal is journaled, and bad values are refused
 * before anything runs.
 */
class AssumeLostTest extends LoopbackCase {
    private ServerSocket sshd;
    private DatagramSocket dnsUdp;
    private ServerSocket dnsTcp;
    private final AtomicInteger sshAccepts = new AtomicInteger();
    private final AtomicInteger dnsPackets = new AtomicInteger();
    private Path inventory;

    @BeforeEach
    void listeners() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        sshd = new ServerSocket(0, 50, lo);
        dnsUdp = new DatagramSocket(0, lo);
        dnsTcp = new ServerSocket(dnsUdp.getLocalPort(), 50, lo);
        count("accept-counter", () -> sshd.accept().close(), sshAccepts);
        count("accept-counter", () -> dnsTcp.accept().close(), dnsPackets);
        DatagramPacket datagram = new DatagramPacket(new byte[2048], 2048);
        count("udp-counter", () -> dnsUdp.receive(datagram), dnsPackets);
        Path key = tmp.resolve("id");
        try {
            // a real key, so the control run gets as far as connecting
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Path known = Files.writeString(tmp.resolve("known_hosts"), "");
        int sshPort = sshd.getLocalPort();
        inventory = Fixtures.write(tmp, "lost-inv.yaml", InventoryYaml.named("lost-test")
                .ssh("{ user: root, identityFile: " + key + ", knownHosts: " + known + ", port: " + sshPort
                        + ", connectTimeout: 2s }")
                .nameServers(dnsUdp.getLocalPort()).then("ports: { svc: " + sshPort + ", dbms: 5432 }")
                .hosts("region1", "app: { address: 127.0.0.1, roles: [app] }", "dbms: { address: 127.0.0.1, roles: [dbms] }")
                .hosts("region2", "app: { address: 127.0.0.3, roles: [app] }")
                .records("svc: { region1: app, region2: app }").yaml());
    }

    /** Something arriving at a listener: returns when one arrived, throws once the listener is closed. */
    private interface Arrival {
        void await() throws IOException;
    }

    /** Counts arrivals on a daemon thread {@code name} until the listener is closed. */
    private static void count(String name, Arrival arrival, AtomicInteger arrived) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    arrival.await();
                    arrived.incrementAndGet();
                }
            } catch (IOException closed) {
                // the listener was closed: the test is over
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws IOException {
        sshd.close();
        dnsUdp.close();
        dnsTcp.close();
    }

    /** drctl with the production SSH access (JSch): only the refusal can keep it from connecting. */
    private Fixtures.Cli drctl(String... args) {
        CliRuntime rt = new CliRuntime(Map.of("PATH", System.getenv("PATH"), "HOME", tmp.toString()), Clock.systemUTC(),
                Builtins::registry, inv -> new SshHostAccess(inv, tmp.toString()), Optional.empty(), "tester", "testhost");
        return Fixtures.cli(rt, args);
    }

    private Fixtures.Cli runOn(String runbookText, String... extra) throws IOException {
        Path rb = runbook(runbookText);
        List<String> args = new java.util.ArrayList<>(List.of("run", "--state-dir", state.toString(), inventory.toString(),
                rb.toString()));
        args.addAll(List.of(extra));
        return drctl(args.toArray(String[]::new));
    }

    private List<JournalEvent> events(String wire) throws IOException {
        return Fixtures.journal(Fixtures.onlyRun(state)).stream().filter(e -> e.event().equals(wire)).toList();
    }

    static final String SSH_TO_DBMS = """
            name: ssh-dbms
            steps:
              - { id: touch-dbms, type: ssh, hosts: "region=region1 role=dbms", command: "true", retry: { attempts: 2, backoff: 10ms } }
            """;

    @Test
    void ssh_toLostHost_refusedAsUnreachable_noConnectionOpened_journaledOnce() throws Exception {
        Fixtures.Cli r = runOn(SSH_TO_DBMS, "--mode", "forced", "--assume-lost", "region1/dbms").assertExit(ExitCodes.STEP_FAILED);
        assertEquals(0, sshAccepts.get(), "no TCP connection may reach the lost host's SSH port");
        assertTrue(r.all().contains("assumed lost (--assume-lost region1/dbms): not contacted"), r.all());
        List<JournalEvent> injected = events("fault.injected");
        assertEquals(1, injected.size());
        assertEquals("region1/dbms", injected.get(0).str("fault"));
        assertEquals(List.of("region1/dbms"), injected.get(0).data().get("hosts"));
        List<JournalEvent> skipped = events("action.skipped-lost");
        assertEquals(1, skipped.size(), "once per action, what and target, though the action was tried twice: " + skipped);
        assertEquals(Optional.of("touch-dbms"), skipped.get(0).step());
        assertEquals("ssh", skipped.get(0).str("what"));
        assertEquals("region1/dbms", skipped.get(0).str("contact"));
        assertEquals(2, events("action.attempt-failed").size(), "the failure kind of an unreachable host: retried");
        assertEquals(Boolean.TRUE, events("action.attempt-failed").get(0).data().get("retriable"));
    }

    @Test
    void ssh_withoutTheFault_connects_soTheCounterWouldSeeIt() throws Exception {
        Fixtures.Cli r = runOn(SSH_TO_DBMS.replace("attempts: 2", "attempts: 1"));
        assertTrue(sshAccepts.get() >= 1, "control: the same run without --assume-lost opens the SSH connection: " + r.all());
    }

    static final String DNS_VERIFY = """
            name: dns-check
            steps:
              - { id: visible, type: dns.verify, records: [svc], to: region2, within: 1s, interval: 200ms }
            """;

    @Test
    void dns_toLostServer_noPacketSent_refusalJournaled() throws Exception {
        Fixtures.Cli r = runOn(DNS_VERIFY, "--mode", "forced", "--assume-lost", "dns:ns1");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(0, dnsPackets.get(), "no UDP datagram or TCP connection may reach the lost DNS server");
        List<JournalEvent> skipped = events("action.skipped-lost");
        assertFalse(skipped.isEmpty(), "the refused DNS message is journaled");
        assertEquals("dns message", skipped.get(0).str("what"));
        assertEquals("ns1", skipped.get(0).str("contact"));
        assertEquals("dns:ns1", skipped.get(0).str("fault"));
    }

    @Test
    void dns_withoutTheFault_queriesArrive_soTheCounterWouldSeeThem() throws Exception {
        runOn(DNS_VERIFY);
        assertTrue(dnsPackets.get() >= 1, "control: the same run without --assume-lost sends DNS queries");
    }

    @Test
    void waitTcp_toLostHost_notProbed_outcomeUnreachable() throws Exception {
        Fixtures.Cli r = runOn("""
                name: tcp
                steps:
                  - { id: up, type: wait.tcp, hosts: "region=region1 role=app", port: svc, within: 1s, interval: 100ms }
                """, "--mode", "forced", "--assume-lost", "region1");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(0, sshAccepts.get(), "the probe's port (svc = the counter's port) saw no connection");
        assertTrue(r.all().contains("unreachable (assumed lost (--assume-lost region1): not contacted)"), r.all());
        assertEquals("tcp probe", events("action.skipped-lost").get(0).str("what"));
    }

    @Test
    void badValues_exitTwoBeforeAnything_namingTheValueAndTheValidOnes() throws Exception {
        Fixtures.Cli r = runOn(SSH_TO_DBMS, "--mode", "forced", "--assume-lost", "region1/dbmz", "--assume-lost", "dns:ns9",
                "--assume-lost", "app", "--assume-lost", "regoin3").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("--assume-lost region1/dbmz: inventory `lost-test` has no host `region1/dbmz`"), r.err());
        assertTrue(r.err().contains("did you mean `region1/dbms`?"), r.err());
        assertTrue(r.err().contains("--assume-lost dns:ns9: inventory `lost-test` has no DNS server `ns9`"), r.err());
        assertTrue(r.err().contains("several hosts are named `app`: region1/app, region2/app"), r.err());
        assertTrue(r.err().contains("--assume-lost regoin3: inventory `lost-test` has no region, host or DNS server `regoin3`"),
                r.err());
        assertFalse(r.err().contains("Exception"), "a clear message, no stack trace: " + r.err());
        assertFalse(Files.exists(state.resolve("runs")) && Files.list(state.resolve("runs")).findAny().isPresent(),
                "no run was started");
        assertEquals(0, sshAccepts.get());
    }

    @Test
    void withoutForcedMode_exitTwo_sayingWhy() throws Exception {
        Fixtures.Cli r = runOn(SSH_TO_DBMS, "--assume-lost", "region1/dbms").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("--assume-lost region1/dbms needs --mode forced"), r.err());
        assertEquals(0, sshAccepts.get());
    }

    @Test
    void uniqueHostName_andRegion_andDnsAddress_accepted() throws Exception {
        Fixtures.Cli r = runOn("""
                name: nothing
                steps:
                  - { id: noop, type: exec, command: "true" }
                """, "--mode", "forced", "--assume-lost", "dbms", "--assume-lost", "region2", "--assume-lost", "dns:127.0.0.1")
                .assertExit(ExitCodes.OK);
        List<JournalEvent> injected = events("fault.injected");
        assertEquals(List.of("dbms", "region2", "dns:127.0.0.1"), injected.stream().map(e -> e.str("fault")).toList(), r.all());
        assertEquals(List.of("region1/dbms"), injected.get(0).data().get("hosts"));
        assertEquals(List.of("region2/app"), injected.get(1).data().get("hosts"));
        assertEquals(List.of("ns1"), injected.get(2).data().get("dnsServers"));
    }

    @Test
    void resume_keepsTheRunsFaults() throws Exception {
        runOn(SSH_TO_DBMS, "--mode", "forced", "--assume-lost", "region1/dbms").assertExit(ExitCodes.STEP_FAILED);
        String runId = Fixtures.onlyRun(state).getFileName().toString();
        Fixtures.Cli r = drctl("resume", runId, "--state-dir", state.toString());
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(0, sshAccepts.get(), "the resumed run still never contacts the lost host");
        assertEquals(2, events("fault.injected").size(), "journaled again on resume");
    }

    @Test
    void vm_ofLostHost_providerNeverAsked_countsAsPoweredOff() throws Exception {
        Path power = Files.createDirectories(tmp.resolve("power"));
        Files.writeString(power.resolve("vm1"), "poweredOn\n");
        Path asked = tmp.resolve("asked.log");
        Path vmInv = Fixtures.write(tmp, "vm-inv.yaml", InventoryYaml.named("vm-test")
                .hosts("region1", "app: { address: 127.0.0.1, roles: [app] }")
                .hosts("region2", "fw: { address: 127.0.0.1, roles: [framework], vm: { provider: files, id: vm1 } }")
                .then("""
                        providers:
                          files: { kind: command, start: "echo start >> ASKED; echo poweredOn > POWER/{id}",
                                   stop: "echo stop >> ASKED; echo poweredOff > POWER/{id}",
                                   status: "echo status >> ASKED; cat POWER/{id}", running: "^poweredOn", stopped: "^poweredOff" }
                        """).yaml().replace("POWER", power.toString()).replace("ASKED", asked.toString()));
        Path stop = runbook("""
                name: stop
                steps:
                  - { id: stop-fw, type: vm.stop, hosts: "role=framework" }
                """);
        Fixtures.Cli r = Fixtures.cli("run", "--state-dir", state.toString(), vmInv.toString(), stop.toString(), "--mode", "forced",
                "--assume-lost", "region2/fw").assertExit(ExitCodes.OK);
        assertFalse(Files.exists(asked), "the provider was never asked about the lost host's VM");
        assertEquals("poweredOn", Files.readString(power.resolve("vm1")).strip(), "the VM itself was not touched");
        assertEquals("vm status", events("action.skipped-lost").get(0).str("what"), r.all());

        Path start = runbook("""
                name: start
                steps:
                  - { id: start-fw, type: vm.start, hosts: "role=framework", within: 2s }
                """);
        Path state2 = tmp.resolve("state2");
        Fixtures.Cli s2 = Fixtures.cli("run", "--state-dir", state2.toString(), vmInv.toString(), start.toString(), "--mode", "forced",
                "--assume-lost", "region2");
        assertEquals(ExitCodes.STEP_FAILED, s2.code(), s2.all());
        assertTrue(s2.all().contains("assumed lost (--assume-lost region2): not contacted"), s2.all());
        assertFalse(Files.exists(asked), "a lost host's VM is not started either");
    }

    @Test
    void plan_probesNothingAtALostHost_controlProbes() throws Exception {
        Path rb = runbook("""
                name: tcp
                steps:
                  - { id: up, type: wait.tcp, hosts: "region=region1 role=app", port: svc, within: 1s }
                """);
        Fixtures.Cli lost = drctl("plan", "--state-dir", state.toString(), inventory.toString(), rb.toString(), "--mode", "forced",
                "--assume-lost", "region1/app").assertExit(ExitCodes.OK);
        assertEquals(0, sshAccepts.get(), "the plan's probe did not connect to the lost host");
        assertTrue(lost.out().contains("unreachable (assumed lost (--assume-lost region1/app): not contacted)"), lost.out());
        drctl("plan", "--state-dir", state.toString(), inventory.toString(), rb.toString()).assertExit(ExitCodes.OK);
        // the counter thread accepts asynchronously
        Await.until(Duration.ofSeconds(2), Duration.ofMillis(20), () -> sshAccepts.get() >= 1,
                () -> "control: without the fault the plan probes the port");
    }
}
