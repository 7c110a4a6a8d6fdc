package io.drctl.orchestrator.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.FakeHostAccess;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.cli.CliRuntime;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.steps.dns.ZoneServer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in rule types against real things on loopback: TCP listeners standing in for the two
 * DBMSs (connections made by the same connect probe the fences use), and two small authoritative
 * DNS servers ({@link ZoneServer}) whose records the tests change.
 */
class RuleTypesTest {
    @TempDir
    Path tmp;

    ServerSocket dbms1;
    ServerSocket dbms2;
    int dbPort;
    ZoneServer ns1;
    ZoneServer ns2;
    int ns1Port;
    int deadPort;
    /** Hosts whose SSH is "down" (the host access throws UNREACHABLE), or fails otherwise. */
    final Map<String, HostAccessException.Kind> broken = new ConcurrentHashMap<>();
    /** Hosts whose SSH port does not even answer TCP (a powered-off VM). */
    final java.util.Set<String> silent = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() throws Exception {
        dbms1 = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"));
        dbPort = dbms1.getLocalPort();
        dbms2 = new ServerSocket(dbPort, 50, InetAddress.getByName("127.0.0.3"));
        ns1 = new ZoneServer("cc.test.");
        ns2 = new ZoneServer("cc.test.");
        ns1Port = ns1.port();
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            deadPort = d.getLocalPort();
        }
        broken.put("region2/fw", HostAccessException.Kind.UNREACHABLE); // dormant VM
    }

    @AfterEach
    void tearDown() throws Exception {
        dbms1.close();
        if (!dbms2.isClosed()) {
            dbms2.close();
        }
        ns1.close();
        ns2.close();
    }

    String inventory(int ns2Port) {
        return InventoryYaml.named("safety-test").nameServers(ns1Port, ns2Port).then("ports: { dbms: " + dbPort + " }")
                .hosts("region1", "fw:   { address: 127.0.0.1, roles: [framework] }", "dbms: { address: 127.0.0.2, roles: [dbms] }")
                .hosts("region2", "fw:   { address: 127.0.0.4, roles: [framework] }", "dbms: { address: 127.0.0.3, roles: [dbms] }")
                .records("cfgmaster: { region1: fw, region2: fw }", "configdb:  { region1: dbms, region2: dbms }").yaml();
    }

    static final String RUNBOOK = """
            name: guarded
            rules:
              - { id: one-dbms, type: single-dbms-reachable, from: "role=framework", dbms: "role=dbms", port: dbms }
              - { id: dns-one-region, type: records-in-one-region, records: [cfgmaster, configdb] }
            steps:
              - { id: mark, type: exec, command: "echo ran >> OUT" }
            """;

    HostAccess hostAccess() {
        return new FakeHostAccess(broken, silent, host -> LocalCommandRunner.local());
    }

    /** {@code drctl run} of {@link #RUNBOOK} against {@code inventoryYaml}, in process, with this test's host access. */
    Fixtures.Cli runGuarded(String inventoryYaml, Path state) throws IOException {
        Path inv = Fixtures.write(tmp, "inv.yaml", inventoryYaml);
        Path rb = Fixtures.write(tmp, "rb.yaml", RUNBOOK.replace("OUT", tmp.resolve("out.txt").toString()));
        return Fixtures.cli(cliRuntime(), "run", "--state-dir", state.toString(), inv.toString(), rb.toString());
    }

    /** The in-process CLI with this test's host access (silent and broken hosts). */
    CliRuntime cliRuntime() {
        return new CliRuntime(Map.of("PATH", System.getenv("PATH")), Clock.systemUTC(), Builtins::registry,
                inv2 -> hostAccess(), Optional.empty(), "tester", "testhost");
    }

    Loaded load(int ns2Port) throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", inventory(ns2Port));
        Path rb = Fixtures.write(tmp, "rb.yaml", RUNBOOK.replace("OUT", tmp.resolve("out.txt").toString()));
        return Loaded.load(inv, rb, Map.of(), Builtins.registry());
    }

    /** What a rule type is given to evaluate: the engine's {@code RunScope}, here fixed values. */
    record FixedRuleContext(Inventory inventory, Map<String, String> params, HostAccess hosts, Clock clock,
            Map<String, String> env) implements RuleContext {
    }

    Check evaluate(Loaded loaded, String ruleId) throws Exception {
        RuleSpec spec = loaded.rules().stream().filter(r -> r.id().equals(ruleId)).findFirst().orElseThrow();
        RuleContext ctx = new FixedRuleContext(loaded.inventory(), loaded.params(), hostAccess(), Clock.systemUTC(),
                Map.of("PATH", System.getenv("PATH")));
        return io.drctl.orchestrator.steps.Builtins.registry().rules().find(spec.type()).orElseThrow().evaluate(spec, ctx);
    }

    /** Evaluates rule {@code ruleId} with both name servers answering. */
    Check evaluate(String ruleId) throws Exception {
        return evaluate(load(ns2.port()), ruleId);
    }

    /** Both name servers answer every record with {@code region}'s address. */
    void allIn(String region) {
        allIn(ns1, region);
        allIn(ns2, region);
    }

    void allIn(ZoneServer ns, String region) {
        boolean one = region.equals("region1");
        ns.put("cfgmaster", 60, one ? "127.0.0.1" : "127.0.0.4");
        ns.put("configdb", 60, one ? "127.0.0.2" : "127.0.0.3");
    }

    // ------------------------------------------------------------ single-dbms-reachable

    @Test
    void singleDbms_bothDbmsAcceptFromAFrameworkHost_violatedNamingBoth() throws Exception {
        Check c = evaluate("one-dbms");
        assertFalse(c.ok(), c.detail());
        assertEquals("more than one DBMS accepts TCP " + dbPort + ": region1/fw reaches region1/dbms, region2/dbms"
                + " [region1/dbms CONNECTED, region2/dbms CONNECTED] (expected at most one per source); skipped: region2/fw (SSH UNREACHABLE: " + REGION2_FW_DOWN + ")", c.detail());
    }

    @Test
    void singleDbms_oneDbmsRefuses_holds() throws Exception {
        dbms2.close(); // region2 DBMS now refuses (RST), as a fenced one does
        Check c = evaluate("one-dbms");
        assertTrue(c.ok(), c.detail());
        assertEquals("region1/fw reaches region1/dbms [region1/dbms CONNECTED, region2/dbms REFUSED]; skipped: region2/fw (SSH UNREACHABLE: " + REGION2_FW_DOWN + ")", c.detail());
    }

    static final String REGION2_FW_DOWN = "region2/fw: ssh to 127.0.0.4: UNREACHABLE";

    @Test
    void singleDbms_noSourceAnswers_violatedNamingEachSourceAndWhy() throws Exception {
        silent.add("region1/fw"); // powered off: its SSH port does not answer
        Check c = evaluate("one-dbms");
        assertFalse(c.ok(), "a rule that cannot be evaluated from anywhere must not hold: " + c.detail());
        assertEquals("cannot be evaluated: no source host answers over SSH, so no DBMS connection on TCP " + dbPort
                + " could be tried from anywhere; tried region1/fw (SSH port 22 at 127.0.0.1 does not answer TCP within"
                + " 1500 ms), region2/fw (SSH UNREACHABLE: " + REGION2_FW_DOWN + ")", c.detail());
    }

    @Test
    void singleDbms_noSourceAnswersAndOneDbmsFenced_stillViolated() throws Exception {
        dbms2.close();
        broken.put("region1/fw", HostAccessException.Kind.COMMAND_TIMEOUT);
        Check c = evaluate("one-dbms");
        assertFalse(c.ok(), c.detail());
        assertTrue(c.detail().contains("tried region1/fw (SSH COMMAND_TIMEOUT: region1/fw: ssh to 127.0.0.1: COMMAND_TIMEOUT)"),
                c.detail());
    }

    @Test
    void run_noSourceAnswers_refusedThenRunsWhenOverriddenWithReason() throws Exception {
        silent.add("region1/fw");
        allIn("region1");
        Path state = tmp.resolve("state");
        Fixtures.Cli r = runGuarded(inventory(ns2.port()), state).assertExit(ExitCodes.REFUSED);
        assertFalse(Files.exists(tmp.resolve("out.txt")), "no step may run");
        assertTrue(r.err().contains("refused by safety rule `one-dbms` (single-dbms-reachable): cannot be evaluated: "
                + "no source host answers over SSH"), r.err());

        String runId = Fixtures.onlyRun(state).getFileName().toString();
        Fixtures.Cli again = Fixtures.cli(cliRuntime(), "resume", runId, "--state-dir", state.toString(),
                "--override-rule", "one-dbms", "--reason", "every Framework host is powered off (INC-1)")
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("ran"), Files.readAllLines(tmp.resolve("out.txt")));
        assertTrue(Fixtures.journal(Fixtures.onlyRun(state)).stream().anyMatch(e -> e.event().equals("rule.overridden")
                && "every Framework host is powered off (INC-1)".equals(e.str("reason"))));
    }

    @Test
    void run_noSourceAnswers_everyVmProvenStoppedByItsProvider_holds_oneNotProven_refused() throws Exception {
        silent.add("region1/fw");
        allIn("region1");
        Path power = Files.createDirectories(tmp.resolve("power"));
        Files.writeString(power.resolve("fw1"), "poweredOff\n");
        Files.writeString(power.resolve("fw2"), "poweredOff\n");
        String withVms = inventory(ns2.port())
                .replace("fw:   { address: 127.0.0.1, roles: [framework] }",
                        "fw:   { address: 127.0.0.1, roles: [framework], vm: { provider: files, id: fw1 } }")
                .replace("fw:   { address: 127.0.0.4, roles: [framework] }",
                        "fw:   { address: 127.0.0.4, roles: [framework], vm: { provider: files, id: fw2 } }")
                + """
                providers:
                  files: { kind: command, start: "echo poweredOn > POWER/{id}", stop: "echo poweredOff > POWER/{id}",
                           status: "cat POWER/{id}", running: "poweredOn", stopped: "poweredOff" }
                """.replace("POWER", power.toString());
        Path state = tmp.resolve("state");
        Fixtures.Cli r = runGuarded(withVms, state);
        assertEquals(ExitCodes.OK, r.code(), "every source proven powered off: no Framework host can reach a DBMS: " + r.all());
        assertTrue(Fixtures.journal(Fixtures.onlyRun(state)).stream().anyMatch(e -> e.event().equals("rule.checked")
                && "one-dbms".equals(e.str("rule"))), "checked, not overridden");

        Files.writeString(power.resolve("fw2"), "poweredOn\n"); // running but unreachable: cannot be judged
        Fixtures.Cli r2 = runGuarded(withVms, tmp.resolve("state2")).assertExit(ExitCodes.REFUSED);
        assertTrue(r2.err().contains("cannot be evaluated"), r2.err());
    }

    @Test
    void singleDbms_sourceWithBadHostKey_cannotBeEvaluated() throws Exception {
        broken.put("region2/fw", HostAccessException.Kind.CHANGED_HOST_KEY);
        Loaded loaded = load(ns2.port());
        HostAccessException e = assertThrows(HostAccessException.class, () -> evaluate(loaded, "one-dbms"));
        assertEquals(HostAccessException.Kind.CHANGED_HOST_KEY, e.kind());
    }

    @Test
    void run_twoDbmsReachable_refusedWithExitFourBeforeAnyStep() throws Exception {
        allIn("region1");
        Path state = tmp.resolve("state");
        Fixtures.Cli r = runGuarded(inventory(ns2.port()), state).assertExit(ExitCodes.REFUSED);
        assertFalse(Files.exists(tmp.resolve("out.txt")), "no step may run");
        assertTrue(r.err().contains("refused by safety rule `one-dbms` (single-dbms-reachable): more than one DBMS accepts TCP"),
                r.err());
        List<String> events = Fixtures.journal(Fixtures.onlyRun(state)).stream()
                .map(e -> e.brief() + (e.event().startsWith("rule.") ? " " + e.str("rule") : "")).toList();
        assertEquals(List.of("run.started", "rule.violated one-dbms", "rule.checked dns-one-region", "step.finished mark",
                "run.finished"), events);

        // the operator fences region2's DBMS: the same run resumes and completes
        dbms2.close();
        String runId = Fixtures.onlyRun(state).getFileName().toString();
        Fixtures.Cli again = Fixtures.cli(cliRuntime(), "resume", runId, "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("ran"), Files.readAllLines(tmp.resolve("out.txt")));
    }

    // ------------------------------------------------------------ records-in-one-region

    @Test
    void records_allInRegion1AtBothServers_holds() throws Exception {
        allIn("region1");
        Check c = evaluate("dns-one-region");
        assertTrue(c.ok(), c.detail());
        assertEquals("cfgmaster, configdb -> region1 at ns1, ns2", c.detail());
    }

    @Test
    void records_splitBetweenRegionsAtOneServer_violated() throws Exception {
        allIn("region1");
        ns1.put("cfgmaster", 60, "127.0.0.4"); // only cfgmaster flipped: split brain
        Check c = evaluate("dns-one-region");
        assertFalse(c.ok(), c.detail());
        assertEquals("at ns1: split between regions: cfgmaster -> region2, configdb -> region1 (expected all in one region)",
                c.detail());
    }

    @Test
    void records_addressOfNoRegionOrTwoAddresses_violated() throws Exception {
        allIn("region1");
        ns1.put("configdb", 60, "127.0.0.9");
        ns2.put("cfgmaster", 60, "127.0.0.1", "127.0.0.4");
        Check c = evaluate("dns-one-region");
        assertFalse(c.ok(), c.detail());
        assertTrue(c.detail().contains("at ns1: configdb A 127.0.0.9 is not exactly one region's address "
                + "(expected one of region1 127.0.0.2, region2 127.0.0.3)"), c.detail());
        assertTrue(c.detail().contains("at ns2: cfgmaster A 127.0.0.1,127.0.0.4 is not exactly one region's address"), c.detail());
    }

    @Test
    void records_secondaryStillOnOldRegion_holdsAndSaysConverging() throws Exception {
        allIn(ns1, "region2");
        allIn(ns2, "region1"); // not yet transferred: consistent on its own
        Check c = evaluate("dns-one-region");
        assertTrue(c.ok(), c.detail());
        assertEquals("cfgmaster, configdb each in one region per server, servers still converging: {ns1=region2, ns2=region1}",
                c.detail());
    }

    @Test
    void records_oneServerDown_skippedAndNamed() throws Exception {
        allIn(ns1, "region1");
        Check c = evaluate(load(deadPort), "dns-one-region");
        assertTrue(c.ok(), c.detail());
        assertTrue(c.detail().startsWith("cfgmaster, configdb -> region1 at ns1; no answer from ns2 ("), c.detail());
    }

    @Test
    void records_noServerAnswers_violated() throws Exception {
        ns1.close();
        Check c = evaluate(load(deadPort), "dns-one-region");
        assertFalse(c.ok(), c.detail());
        assertTrue(c.detail().startsWith("no authoritative server answered for cfgmaster, configdb; no answer from ns1 ("),
                c.detail());
    }

    // ------------------------------------------------------------ --assume-lost

    /** {@code drctl run --mode forced --assume-lost VALUE} of {@link #RUNBOOK}; returns the run's journal events. */
    List<io.drctl.orchestrator.journal.JournalEvent> runAssumingLost(String value) throws Exception {
        Path state = tmp.resolve("state-lost");
        Path inv = Fixtures.write(tmp, "inv.yaml", inventory(ns2.port()));
        Path rb = Fixtures.write(tmp, "rb.yaml", RUNBOOK.replace("OUT", tmp.resolve("out.txt").toString()));
        Fixtures.cli(cliRuntime(), "run", "--state-dir", state.toString(), inv.toString(), rb.toString(), "--mode", "forced",
                "--assume-lost", value).assertExit(ExitCodes.OK);
        assertEquals(List.of("ran"), Files.readAllLines(tmp.resolve("out.txt")));
        return Fixtures.journal(Fixtures.onlyRun(state));
    }

    @Test
    void run_assumeLostDbms_noProbeIsRunToIt_singleDbmsHolds_refusalJournaled() throws Exception {
        allIn("region1");
        // both DBMSs accept: without the fault, region1/fw reaches both (singleDbms_bothDbmsAccept... above)
        List<io.drctl.orchestrator.journal.JournalEvent> events = runAssumingLost("region1/dbms");
        dbms1.setSoTimeout(300);
        assertThrows(java.net.SocketTimeoutException.class, dbms1::accept, "no connection reached the lost DBMS");
        assertTrue(events.stream().anyMatch(e -> e.event().equals("action.skipped-lost") && e.step().isEmpty()
                && "tcp probe from region1/fw".equals(e.str("what")) && "region1/dbms".equals(e.str("contact"))), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.event().equals("rule.checked") && String.valueOf(e.data()).contains("one-dbms")),
                events.toString());
    }

    @Test
    void run_assumeLostDnsServer_itIsNotAsked_recordsRuleSkipsIt() throws Exception {
        dbms2.close(); // one DBMS reachable: the other rule holds
        allIn(ns1, "region1");
        List<io.drctl.orchestrator.journal.JournalEvent> events = runAssumingLost("dns:ns2");
        assertTrue(events.stream().anyMatch(e -> e.event().equals("action.skipped-lost") && "dns message".equals(e.str("what"))
                && "ns2".equals(e.str("contact"))), events.toString());
        assertFalse(ns2.asked(), "the lost server got no query");
    }
}
