package io.drctl.orchestrator.steps.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.StepHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code firewall.fence}, {@code firewall.unfence} and {@code firewall.verify} through their public contract, on a
 * host whose iptables filter table is simulated ({@link FakeIptables}): what a probe decides from the listing, the
 * rule text a fence inserts, the lock-out guard, the site's rules an unfence records and a later fence or rollback
 * puts back verbatim. No root, no network namespace.
 */
class FenceStepsUnitTest {
    @TempDir
    Path tmp;

    static final String DBMS = "region1/dbms";
    /** The manual procedure's untagged fence, as iptables lists it. */
    static final String MANUAL = "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable";
    static final String ALL_PORTS = "-A INPUT -s 10.78.1.7/32 -j DROP";
    static final String DRCTL_1 = "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\""
            + " -j REJECT --reject-with tcp-reset";
    static final String DRCTL_2 = DRCTL_1.replace("10.78.1.0/24", "10.78.2.0/24");
    static final String ESTABLISHED = "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT";

    static final String INVENTORY = """
            name: fw-test
            ssh: { user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }
            ports: { dbms: 5432, ssh: 22 }
            regions:
              region1:
                subnets: { framework: 10.78.1.0/24, loopback: 127.0.0.0/29 }
                hosts:
                  fw:   { address: 10.78.1.10, roles: [framework] }
                  dbms: { address: 127.0.0.2, roles: [dbms], firewall: iptables }
              region2:
                subnets: { framework: 10.78.2.0/24 }
                hosts:
                  fw:   { address: 10.78.2.10, roles: [framework] }
            """;

    static final String RUNBOOK = """
            name: fence
            steps:
              - { id: fence, type: firewall.fence, hosts: "region=region1 role=dbms", port: dbms, from: [10.78.1.0/24] }
              - { id: fence-both, type: firewall.fence, hosts: "region=region1 role=dbms", port: dbms, from: [framework] }
              - { id: fence-self, type: firewall.fence, hosts: "region=region1 role=dbms", port: dbms, from: [loopback] }
              - { id: fence-ssh, type: firewall.fence, hosts: "region=region1 role=dbms", port: ssh, from: [10.78.1.0/24] }
              - { id: unfence, type: firewall.unfence, hosts: "region=region1 role=dbms", port: dbms, from: [10.78.1.0/24] }
              - { id: fenced, type: firewall.verify, hosts: "region=region1 role=dbms", port: dbms, from: [10.78.1.0/24],
                  source: "region=region1 role=framework", expect: fenced }
              - { id: fenced-both, type: firewall.verify, hosts: "region=region1 role=dbms", port: dbms, from: [framework],
                  source: "region=region1 role=framework", expect: fenced }
              - { id: open, type: firewall.verify, hosts: "region=region1 role=dbms", port: dbms, from: [10.78.1.0/24],
                  source: "region=region1 role=framework", expect: open }
            """;

    /** The DBMS host's filter table, made by {@link #harness}. */
    FakeIptables table;

    /** A harness whose DBMS host has a filter table with INPUT {@code lines}, reachable from region1's Framework host. */
    StepHarness harness(String... lines) throws Exception {
        table = new FakeIptables(lines);
        StepHarness h = StepHarness.load(tmp, INVENTORY, RUNBOOK);
        table.install(h.host(DBMS));
        // a connect from the Framework host meets whatever the DBMS host's table says
        h.host("region1/fw").on(c -> c.contains("drctl-connect"),
                c -> ScriptedRunner.ok("drctl-connect: " + (table.blocks(5432) ? "REFUSED" : "CONNECTED") + "\n"));
        return h;
    }

    // ------------------------------------------------------------------ firewall.fence

    @Test
    void fence_nothingBlocks_needed_insertsTaggedRejectFirstInInput_listingVerifies_revertRemovesIt() throws Exception {
        StepHarness h = harness(ESTABLISHED);
        Action a = h.action("fence");
        assertEquals(DBMS, a.target());
        Probe p = a.probe(h.ctx("fence"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertEquals("fenced from [10.78.1.0/24]: will insert drctl:fence:dbms rules first in INPUT for [10.78.1.0/24] and cut their"
                + " live connections", p.desired());

        Applied applied = a.apply(h.ctx("fence"));
        assertEquals(List.of("iptables -w -I INPUT 1 -p tcp -s 10.78.1.0/24 --dport 5432 -m comment --comment 'drctl:fence:dbms'"
                + " -j REJECT --reject-with tcp-reset"), h.host(DBMS).commandsContaining("-I INPUT"), "the rule that fences");
        assertEquals(List.of(DRCTL_1, ESTABLISHED), table.input, "first in INPUT, ahead of the ESTABLISHED accept");
        assertTrue(applied.summary().startsWith("FENCE dbms: added 1"), applied.summary());
        assertTrue(applied.output().contains("conntrack not installed"), applied.output());

        Verified v = a.verify(h.ctx("fence"));
        assertTrue(v.ok(), v.detail());
        assertTrue(v.detail().endsWith("(effect not tested: no verifyFrom)"), v.detail());
        assertEquals(1, h.evidence.size(), h.evidence.toString());
        Evidence listed = h.evidence.get(0);
        assertEquals(DBMS, listed.observer());
        assertEquals("rules for tcp/5432 (effect not tested: no verifyFrom)", listed.target());
        assertEquals("every source blocked", listed.expected());
        assertTrue(listed.ok() && listed.observed().startsWith("fenced by 1 drctl rule(s)"), listed.toString());
        assertTrue(a.probe(h.ctx("fence")).isSatisfied());

        Reverted r = a.revert(h.ctx("fence"));
        assertTrue(r.reverted(), r.detail());
        assertEquals(List.of(ESTABLISHED), table.input);
    }

    @Test
    void fence_alreadyBlockedByTheSitesOwnRule_satisfied_keepsIt_insertsNothing() throws Exception {
        StepHarness h = harness(MANUAL);
        Action a = h.action("fence");
        Probe p = a.probe(h.ctx("fence"));
        assertEquals(Probe.State.SATISFIED, p.state(), p.toString());
        assertTrue(p.current().startsWith("fenced by 1 rule(s) drctl did not write; rules drctl did not write: " + MANUAL), p.current());
        assertTrue(p.desired().contains("keeps 1 rule(s) drctl did not write"), p.desired());
        a.apply(h.ctx("fence")); // an engine would skip it; idempotent anyway
        assertTrue(h.host(DBMS).commandsContaining("-I INPUT").isEmpty());
        assertEquals(List.of("keeping (not drctl's): " + MANUAL), h.notices);
    }

    @Test
    void fence_partlyFenced_insertsOnlyForTheUnblockedSource() throws Exception {
        StepHarness h = harness(MANUAL);
        Action a = h.action("fence-both");
        Probe p = a.probe(h.ctx("fence-both"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.current().startsWith("partly fenced (not [10.78.2.0/24])"), p.current());
        assertTrue(p.desired().contains("will insert drctl:fence:dbms rules first in INPUT for [10.78.2.0/24]"), p.desired());
        a.apply(h.ctx("fence-both"));
        assertEquals(List.of(DRCTL_2, MANUAL), table.input);
        assertTrue(a.probe(h.ctx("fence-both")).isSatisfied());
    }

    @Test
    void fence_lockoutGuard_refusesASourceHoldingDrctlsAddress_andTheSshPort_sendingNothing() throws Exception {
        StepHarness h = harness();
        StepFailure self = assertThrows(StepFailure.class, () -> h.action("fence-self").apply(h.ctx("fence-self")));
        assertFalse(self.isRetriable());
        assertTrue(self.getMessage().contains("it would lock drctl out: source 127.0.0.0/29 contains drctl's own address 127.0.0.1"),
                self.getMessage());
        StepFailure ssh = assertThrows(StepFailure.class, () -> h.action("fence-ssh").apply(h.ctx("fence-ssh")));
        assertFalse(ssh.isRetriable());
        assertTrue(ssh.getMessage().contains("port 22 is the SSH port"), ssh.getMessage());
        assertTrue(h.host(DBMS).commandsContaining("-I INPUT").isEmpty(), "nothing inserted");
        assertTrue(table.input.isEmpty());
    }

    @Test
    void fence_persistedFileLacksTheFence_needed_applySavesItWhereTheHostRestoresAtBoot() throws Exception {
        StepHarness h = harness(MANUAL);
        table.persisted = List.of(); // read when the host is asked, after install
        Action a = h.action("fence");
        Probe p = a.probe(h.ctx("fence"));
        assertEquals(Probe.State.NEEDED, p.state(), "live rules block, the boot-time file does not");
        assertTrue(p.desired().endsWith("will save the rules where the host restores them at boot"), p.desired());
        a.apply(h.ctx("fence"));
        assertEquals(1, h.host(DBMS).commandsContaining("iptables-save > '/etc/iptables/rules.v4.drctl-tmp'").size());
        assertEquals(List.of(MANUAL), table.persisted);
        assertTrue(a.probe(h.ctx("fence")).isSatisfied());
    }

    // ------------------------------------------------------------------ firewall.unfence

    @Test
    void unfence_removesEveryBlockingRuleWhoeverWroteIt_recordsThemFirst_keepsAllPortRules_revertRestoresVerbatim() throws Exception {
        StepHarness h = harness(DRCTL_1, ESTABLISHED, MANUAL, ALL_PORTS);
        Action a = h.action("unfence");
        Probe p = a.probe(h.ctx("unfence"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.desired().startsWith("open to [10.78.1.0/24]: will remove 2 rule(s): " + DRCTL_1 + " | [not drctl's] " + MANUAL),
                p.desired());
        assertTrue(p.desired().contains("kept (they block every port, not a fence of 5432): " + ALL_PORTS), p.desired());

        Applied applied = a.apply(h.ctx("unfence"));
        assertEquals(List.of(ESTABLISHED, ALL_PORTS), table.input);
        assertTrue(applied.output().contains("removed (not drctl's): " + MANUAL), applied.output());
        assertTrue(h.notices.contains("removing (not drctl's): " + MANUAL), h.notices.toString());
        assertTrue(h.notes.get("removedRules").contains("icmp-port-unreachable"), h.notes.toString());
        Path record = h.runDir.resolve("firewall").resolve("unfence.region1_dbms.removed.json");
        assertTrue(Files.readString(record).contains("\"position\" : 3"), "written before the first deletion, with positions");
        Path siteRules = tmp.resolve("state").resolve("firewall").resolve("region1_dbms.tcp5432.site-rules.json");
        assertTrue(Files.exists(siteRules), "the site's own rule kept for a later fence");
        assertTrue(a.probe(h.ctx("unfence")).isSatisfied());

        Reverted r = a.revert(h.ctx("unfence"));
        assertTrue(r.detail().contains("restored: " + MANUAL), r.detail());
        assertEquals(List.of(DRCTL_1, ESTABLISHED, MANUAL, ALL_PORTS), table.input, "each back at its listed position");
    }

    @Test
    void fenceAfterUnfence_restoresTheSitesRuleVerbatimFirst_insteadOfAddingDrctls() throws Exception {
        StepHarness h = harness(MANUAL);
        h.action("unfence").apply(h.ctx("unfence"));
        assertTrue(table.input.isEmpty());

        Action fence = h.action("fence");
        Probe p = fence.probe(h.ctx("fence"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.desired().endsWith("; will first restore 1 rule(s) of the site that an earlier unfence removed, verbatim: " + MANUAL),
                p.desired());
        h.notices.clear();
        Applied applied = fence.apply(h.ctx("fence"));
        assertEquals(List.of(MANUAL), table.input, "the site's fence is back; drctl adds none of its own");
        assertTrue(applied.output().startsWith("restored (the site's, removed by an earlier unfence): " + MANUAL), applied.output());
        assertTrue(h.notes.containsKey("restoredSiteRules"));
        assertTrue(h.notices.contains("restoring the site's rule (removed by an earlier unfence): " + MANUAL), h.notices.toString());

        fence.revert(h.ctx("fence"));
        assertTrue(table.input.isEmpty(), "rolling the fence back takes the restored rule off again");
    }

    @Test
    void unfence_nothingBlocks_satisfied_revertWithoutRecordReaddsDrctlsFence() throws Exception {
        StepHarness h = harness();
        Action a = h.action("unfence");
        assertTrue(a.probe(h.ctx("unfence")).isSatisfied());
        Reverted r = a.revert(h.ctx("unfence"));
        assertTrue(r.detail().endsWith("(no record of removed rules: drctl's fence re-added)"), r.detail());
        assertEquals(List.of(DRCTL_1), table.input);
    }

    // ------------------------------------------------------------------ firewall.verify

    @Test
    void verify_expectFenced_rulesAndEffectAgree_ok_openFails_observesOnly() throws Exception {
        StepHarness h = harness(MANUAL);
        Action fenced = h.action("fenced");
        assertFalse(fenced.changes());
        assertFalse(fenced.revertible());
        assertEquals(Probe.State.UNKNOWN, fenced.probe(h.ctx("fenced")).state(), "proven by connecting, in verify");
        assertEquals("nothing to change", fenced.apply(h.ctx("fenced")).summary());
        Verified ok = fenced.verify(h.ctx("fenced"));
        assertTrue(ok.ok(), ok.detail());
        assertTrue(ok.detail().startsWith("region1/fw saw REFUSED"), ok.detail());
        // evidence: the outcome of the connection, source -> target, with the rules that made it
        Evidence seen = h.evidence.get(0);
        assertEquals(List.of("region1/fw", "tcp 127.0.0.2:5432 (region1/dbms)", "REFUSED", true),
                List.of(seen.observer(), seen.target(), seen.expected(), seen.ok()));
        assertTrue(seen.observed().startsWith("REFUSED; rules: "), seen.observed());

        Verified open = h.action("open").verify(h.ctx("open"));
        assertFalse(open.ok());
        Evidence refused = h.evidence.get(1);
        assertEquals(List.of("region1/fw", "CONNECTED", false), List.of(refused.observer(), refused.expected(), refused.ok()));
        assertTrue(refused.observed().startsWith("REFUSED"), refused.observed());
        assertTrue(open.detail().contains("expected CONNECTED, saw REFUSED"), open.detail());
        assertTrue(h.host(DBMS).commandsContaining("-D INPUT").isEmpty() && h.host(DBMS).commandsContaining("-I INPUT").isEmpty(),
                "verification changes nothing");
    }

    @Test
    void verify_figures_theRulesFencingThePort_andWhetherTheHostsSavedRulesKeepThem() throws Exception {
        StepHarness h = harness(DRCTL_2, DRCTL_1, ESTABLISHED);
        Action a = h.action("fenced-both");
        assertTrue(a.verify(h.ctx("fenced-both")).ok());
        assertEquals(List.of(Figure.of("fence_rules", 2, "host", DBMS, "port", "5432"),
                Figure.of("fence_persisted", 0, "host", DBMS, "port", "5432")), h.figures, "two live rules, nothing saved for boot");

        h.figures.clear();
        table.persisted = List.of(DRCTL_2, DRCTL_1, ESTABLISHED);
        assertTrue(a.verify(h.ctx("fenced-both")).ok());
        assertEquals(List.of(Figure.of("fence_rules", 2, "host", DBMS, "port", "5432"),
                Figure.of("fence_persisted", 1, "host", DBMS, "port", "5432")), h.figures, "saved where the host restores them at boot");

        h.figures.clear();
        table.persisted = List.of(DRCTL_1);
        table.input.remove(DRCTL_1);
        assertFalse(a.verify(h.ctx("fenced-both")).ok(), "10.78.1.0/24 is no longer blocked");
        assertEquals(List.of(Figure.of("fence_rules", 1, "host", DBMS, "port", "5432"),
                Figure.of("fence_persisted", 0, "host", DBMS, "port", "5432")), h.figures, "a failing check still reports what it read");
    }

    @Test
    void effects_fenceAndUnfenceChangeTheFirewallOnly_aVerificationNothing() throws Exception {
        StepHarness h = harness();
        assertEquals(Set.of(Effect.FIREWALL), h.action("fence").effects());
        assertEquals(Set.of(Effect.FIREWALL), h.action("unfence").effects());
        assertEquals(Set.of(), h.action("fenced").effects(), "a verification changes nothing: no rule is re-run after it");
        assertEquals(Set.of(Effect.FIREWALL, Effect.POWER, Effect.DB_SERVICE), new SingleDbmsReachableRule().reads());
    }
}
