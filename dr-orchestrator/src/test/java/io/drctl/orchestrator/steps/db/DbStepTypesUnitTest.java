package io.drctl.orchestrator.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.StepHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db.promote}, {@code db.replica} and {@code db.rejoin} through their public contract, on hosts whose
 * PostgreSQL is simulated at the level of the client commands drctl sends ({@link FakePostgres}): the promote method,
 * planned mode's wait for zero lag measured on the old primary, an existing primary left alone, the replica's lag
 * bounds, and the rejoin's choice of pg_rewind or pg_basebackup.
 */
class DbStepTypesUnitTest {
    @TempDir
    Path tmp;

    static final String SOCKET = "/var/run/postgresql";
    static final String DB = "db: { kind: postgresql, version: VER, dataDir: /var/lib/postgresql/VER/main, osUser: postgres,"
            + " replicationUser: replicator }";

    final Map<String, FakePostgres> network = new ConcurrentHashMap<>();
    FakePostgres pg1;
    FakePostgres pg2;

    StepHarness harness(String version, Map<String, String> params) throws Exception {
        String inv = InventoryYaml.named("db-test").then("ports: { dbms: 5432 }")
                .region("region1", "role: primary").hosts("region1", "dbms: { address: 10.1.0.30, roles: [dbms], DB }")
                .region("region2", "role: dr").hosts("region2", "dbms: { address: 10.2.0.30, roles: [dbms], DB }")
                .yaml().replace("DB", DB).replace("VER", version);
        StepHarness h = StepHarness.load(tmp, inv, """
                name: db
                steps:
                  - { id: promote, type: db.promote, hosts: "region=region2 role=dbms", catchUpWithin: 5s }
                  - { id: promote-ctl, type: db.promote, hosts: "region=region2 role=dbms", method: pg_ctl }
                  - { id: replica, type: db.replica, hosts: "region=region2 role=dbms", maxLagBytes: 1024 }
                  - { id: primary, type: db.replica, hosts: "region=region1 role=dbms", expect: primary }
                  - { id: rejoin, type: db.rejoin, hosts: "region=region1 role=dbms", upstream: "region=region2 role=dbms" }
                  - { id: rejoin-site, type: db.rejoin, hosts: "region=region1 role=dbms", upstream: "region=region2 role=dbms",
                      command: /usr/local/bin/reseed, check: /usr/local/bin/is-replica }
                """, params);
        pg1 = new FakePostgres("10.1.0.30", network);
        pg2 = new FakePostgres("10.2.0.30", network).replicaOf(pg1);
        pg1.standbyLag.put("10.2.0.30", new ArrayList<>(List.of(0L)));
        pg1.install(h.host("region1/dbms"), SOCKET);
        pg2.install(h.host("region2/dbms"), SOCKET);
        return h;
    }

    StepHarness harness(Map<String, String> params) throws Exception {
        return harness("15", params);
    }

    static final Map<String, String> FORCED = Map.of("mode", "forced");

    List<String> promotions(StepHarness h) {
        List<String> out = new ArrayList<>(h.host("region2/dbms").commandsContaining("pg_promote(true, "));
        out.addAll(h.host("region2/dbms").commandsContaining("pg_ctl' promote"));
        return out;
    }

    // ------------------------------------------------------------------ db.promote

    @Test
    void promote_commandTemplates_evidenceIsTheRoleTemplatesAnswerAndTheWriteCheck() throws Exception {
        String inv = InventoryYaml.named("db-command").then("ports: { dbms: 5432 }")
                .hosts("region1", "dbms: { address: 10.1.0.30, roles: [dbms] }")
                .hosts("region2", """
                        dbms: { address: 10.2.0.30, roles: [dbms], db: { kind: command, role: /usr/local/bin/db-role,
                                primary: '^primary$', replica: '^replica$', promote: /usr/local/bin/db-promote,
                                writeCheck: /usr/local/bin/db-write } }
                        """).yaml();
        StepHarness h = StepHarness.load(tmp, inv, """
                name: db
                steps:
                  - { id: promote, type: db.promote, hosts: "region=region2 role=dbms" }
                """, FORCED);
        ScriptedRunner host = h.host("region2/dbms");
        String[] role = {"replica"};
        host.on(c -> c.equals("/usr/local/bin/db-role"), c -> ScriptedRunner.ok(role[0] + "\n"));
        host.on(c -> c.equals("/usr/local/bin/db-promote"), c -> {
            role[0] = "primary";
            return ScriptedRunner.ok("");
        });
        host.on(c -> c.equals("/usr/local/bin/db-write"), c -> ScriptedRunner.ok(""));
        Action a = h.action("promote");
        a.apply(h.ctx("promote"));
        h.evidence.clear();
        assertTrue(a.verify(h.ctx("promote")).ok());
        assertEquals(List.of("role (its `role` template)", "write probe (its `writeCheck` template)"),
                h.evidence.stream().map(Evidence::target).toList());
        assertTrue(h.evidence.stream().allMatch(e -> e.ok() && e.observer().equals("region2/dbms")), h.evidence.toString());
        assertEquals("passed", h.evidence.get(1).observed());
    }

    @Test
    void promote_replica_needed_defaultMethodIsPgPromote_thenProvesAWrite_notRevertible() throws Exception {
        StepHarness h = harness(FORCED);
        Action a = h.action("promote");
        assertEquals(Probe.needed("replica (streaming, replay gap 0 bytes)", "primary"), a.probe(h.ctx("promote")));
        Applied applied = a.apply(h.ctx("promote"));
        assertFalse(pg2.inRecovery);
        List<String> sent = promotions(h);
        assertEquals(1, sent.size(), sent.toString());
        // one client run: the promotion (waiting for its end), the write check and the new primary's probe
        assertTrue(sent.get(0).startsWith("printf '%s\\n' 'SELECT '\"'\"'promoted'\"'\"', pg_promote(true, 60); BEGIN; CREATE TEMP TABLE"),
                sent.get(0));
        assertTrue(sent.get(0).contains("| runuser -u 'postgres' -- '/usr/lib/postgresql/15/bin/psql'"), sent.get(0));
        assertTrue(applied.summary().startsWith("promoted; RPO 0 bytes"), applied.summary());
        assertTrue(applied.summary().endsWith("; write check in transaction 1234"), applied.summary());
        assertTrue(h.notes.get("rpo").startsWith("RPO 0 bytes, 0 s (no replay lag) (the primary region1/dbms's position"), h.notes.toString());
        assertEquals(Verified.ok("primary, accepted a write (transaction 1234)"), a.verify(h.ctx("promote")));
        // evidence: recovery state before and after, the recovery point, the write that proved the primary
        assertEquals(List.of("pg_is_in_recovery() before", "recovery point before promotion", "pg_is_in_recovery()", "write probe"),
                h.evidence.stream().map(Evidence::target).toList());
        assertTrue(h.evidence.stream().allMatch(e -> e.observer().equals("region2/dbms") && e.ok()), h.evidence.toString());
        assertTrue(h.evidence.get(0).observed().startsWith("true (received "), h.evidence.get(0).observed());
        assertTrue(h.evidence.get(1).observed().startsWith("RPO 0 bytes"), h.evidence.get(1).observed());
        assertEquals("false (primary, 0 standby(s))", h.evidence.get(2).observed());
        assertEquals(new Evidence("region2/dbms", "write probe", "committed in transaction 1234", "a write commits", true),
                h.evidence.get(3));
        assertFalse(a.revertible());
        assertFalse(a.revert(h.ctx("promote")).reverted());
    }

    @Test
    void promote_methodPgCtl_runsPgCtlPromoteFromTheVersionsBinDirOnTheDataDir() throws Exception {
        StepHarness h = harness(FORCED);
        h.action("promote-ctl").apply(h.ctx("promote-ctl"));
        assertEquals(List.of("runuser -u 'postgres' -- '/usr/lib/postgresql/15/bin/pg_ctl' promote -D '/var/lib/postgresql/15/main'"
                + " -w -t 60"), promotions(h));
        assertFalse(pg2.inRecovery);
    }

    @Test
    void promote_pg11_noMethod_promotesWithPgCtl_sinceItHasNoPgPromote() throws Exception {
        StepHarness h = harness("11", FORCED);
        pg2.versionNum = 110022;
        pg2.hasPgPromote = false;
        h.action("promote").apply(h.ctx("promote"));
        assertEquals(List.of("runuser -u 'postgres' -- '/usr/lib/postgresql/11/bin/pg_ctl' promote -D '/var/lib/postgresql/11/main'"
                + " -w -t 60"), promotions(h));
        assertFalse(pg2.inRecovery);
        List<String> clients = h.host("region2/dbms").commands().stream().filter(c -> c.contains("/psql'")).toList();
        assertFalse(clients.isEmpty());
        assertTrue(clients.stream().allMatch(c -> c.contains("'/usr/lib/postgresql/11/bin/psql'")), clients.toString());
    }

    @Test
    void promote_alreadyPrimary_satisfied_applyPromotesNothing() throws Exception {
        StepHarness h = harness(FORCED);
        pg2.inRecovery = false;
        Action a = h.action("promote");
        assertEquals(Probe.satisfied("primary (0 standby(s))", "primary"), a.probe(h.ctx("promote")));
        assertEquals("already primary; write check in transaction 1234", a.apply(h.ctx("promote")).summary());
        assertTrue(promotions(h).isEmpty());
        assertFalse(h.notes.containsKey("rpo"), "no RPO journaled when nothing was promoted");
    }

    @Test
    void promote_planned_waitsUntilTheOldPrimarySeesZeroLag_thenPromotes() throws Exception {
        StepHarness h = harness(Map.of());
        pg1.standbyLag.put("10.2.0.30", new ArrayList<>(List.of(4096L, 512L, 0L)));
        Applied applied = h.action("promote").apply(h.ctx("promote"));
        assertTrue(applied.summary().startsWith("promoted; RPO 0 bytes"), applied.summary());
        assertEquals(3, h.host("region1/dbms").commandsContaining("FROM pg_stat_replication").size(), "asked until caught up");
        assertEquals(List.of(4096.0, 512.0, 0.0), h.figures.stream().filter(f -> f.name().equals("rpo_bytes")).map(Figure::value).toList(),
                "every reading is observed; the last, just before the promotion, stands");
        assertEquals(List.of(Figure.of("rpo_bytes", 0, "replica", "region2/dbms"), Figure.of("rpo_seconds", 0, "replica", "region2/dbms")),
                h.figures.subList(h.figures.size() - 2, h.figures.size()));
        assertEquals(1, promotions(h).size());
    }

    @Test
    void promote_planned_lagNeverZero_refusedAfterCatchUpWithin_nothingPromoted_notRetriable() throws Exception {
        StepHarness h = harness(Map.of());
        pg1.standbyLag.put("10.2.0.30", new ArrayList<>(List.of(4096L)));
        java.time.Instant start = h.clock.instant();
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("promote").apply(h.ctx("promote")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().startsWith("planned mode: the replica did not catch up with the old primary within 5s: RPO 4096 bytes"),
                f.getMessage());
        assertTrue(f.getMessage().endsWith("; nothing was promoted"), f.getMessage());
        assertTrue(promotions(h).isEmpty());
        assertTrue(pg2.inRecovery);
        assertTrue(java.time.Duration.between(start, h.clock.instant()).toSeconds() >= 5, "waited out on the fake clock");
    }

    @Test
    void promote_planned_oldPrimaryUnreachable_refusedPointingAtForcedMode_forcedPromotes() throws Exception {
        StepHarness h = harness(Map.of());
        h.unreachable.put("region1/dbms", HostAccessException.Kind.UNREACHABLE);
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("promote").apply(h.ctx("promote")));
        assertTrue(f.getMessage().startsWith("planned mode: no old primary answered within 5s"), f.getMessage());
        assertTrue(f.getMessage().contains("If its region is gone, run with --mode forced"), f.getMessage());
        assertTrue(promotions(h).isEmpty());

        StepHarness forced = harness(FORCED);
        forced.unreachable.put("region1/dbms", HostAccessException.Kind.UNREACHABLE);
        Applied a = forced.action("promote").apply(forced.ctx("promote"));
        assertTrue(a.summary().startsWith("promoted; RPO unknown: no old primary answered"), a.summary());
    }

    // ------------------------------------------------------------------ db.replica

    @Test
    void replica_streamingWithinBounds_satisfied_gapOverBound_orNotStreaming_needed_observesOnly() throws Exception {
        StepHarness h = harness(Map.of());
        Action a = h.action("replica");
        assertFalse(a.changes());
        Probe ok = a.probe(h.ctx("replica"));
        assertTrue(ok.isSatisfied(), ok.toString());
        assertEquals("streaming replica (replay gap <= 1024 bytes)", ok.desired());
        pg2.replayGap = 2048;
        Probe gap = a.probe(h.ctx("replica"));
        assertEquals(Probe.State.NEEDED, gap.state());
        assertTrue(gap.current().endsWith(": replay gap 2048 bytes > 1024"), gap.current());
        pg2.replayGap = 0;
        pg2.walReceiver = "";
        Verified v = a.verify(h.ctx("replica"));
        assertFalse(v.ok());
        assertTrue(v.detail().endsWith(": not streaming (WAL receiver absent)"), v.detail());
        assertEquals("read-only check: nothing changed", a.apply(h.ctx("replica")).summary());
    }

    @Test
    void replica_figures_lagZeroWhenAllReplayed_theGapAndReplayDelayWhenBehind_evenOverTheBound_noneForAPrimary() throws Exception {
        StepHarness h = harness(Map.of());
        Action a = h.action("replica");
        assertTrue(a.probe(h.ctx("replica")).isSatisfied());
        assertEquals(List.of(Figure.of("replica_streaming", 1, "replica", "region2/dbms"),
                Figure.of("replica_lag_bytes", 0, "replica", "region2/dbms"),
                Figure.of("replica_lag_seconds", 0, "replica", "region2/dbms")), h.figures,
                "streaming with nothing waiting: lag 0, however old the last replayed transaction (0.5 s here)");
        h.figures.clear();
        pg2.replayGap = 2048;
        assertEquals(Probe.State.NEEDED, a.probe(h.ctx("replica")).state());
        assertEquals(List.of(Figure.of("replica_streaming", 1, "replica", "region2/dbms"),
                Figure.of("replica_lag_bytes", 2048, "replica", "region2/dbms"),
                Figure.of("replica_lag_seconds", 0.5, "replica", "region2/dbms")), h.figures, "a failing check still reports what it read");
        h.figures.clear();
        pg2.replayGap = 0;
        pg2.walReceiver = "";
        a.probe(h.ctx("replica"));
        assertEquals(Figure.of("replica_streaming", 0, "replica", "region2/dbms"), h.figures.get(0));
        h.figures.clear();
        assertTrue(h.action("primary").probe(h.ctx("primary")).isSatisfied());
        assertEquals(List.of(), h.figures, "a primary has no replica lag");
    }

    @Test
    void replica_cannotConnect_noFigures() throws Exception {
        StepHarness h = harness(Map.of());
        pg2.running = false;
        assertThrows(StepFailure.class, () -> h.action("replica").probe(h.ctx("replica")));
        assertEquals(List.of(), h.figures, "nothing read, nothing reported (never a made-up 0)");
    }

    @Test
    void replica_expectPrimary_onThePrimary_satisfied_onAReplica_needed() throws Exception {
        StepHarness h = harness(Map.of());
        assertTrue(h.action("primary").probe(h.ctx("primary")).isSatisfied());
        pg1.inRecovery = true;
        Probe p = h.action("primary").probe(h.ctx("primary"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.current().endsWith(": in recovery (a replica)"), p.current());
    }

    @Test
    void replica_cannotConnect_retriableFailure() throws Exception {
        StepHarness h = harness(Map.of());
        pg2.running = false;
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("replica").probe(h.ctx("replica")));
        assertTrue(f.isRetriable());
        assertTrue(f.getMessage().contains("cannot connect to PostgreSQL"), f.getMessage());
    }

    // ------------------------------------------------------------------ db.rejoin

    /** After a failover: region2 is the primary, region1 (the former primary) still runs as one. */
    void afterFailover() {
        pg2.inRecovery = false;
        pg2.walReceiver = "";
        pg1.inRecovery = false;
        pg1.standbyLag.clear();
    }

    @Test
    void rejoin_alreadyStreamingFromTheUpstream_satisfied() throws Exception {
        StepHarness h = harness(Map.of());
        afterFailover();
        pg1.replicaOf(pg2);
        pg1.walReceiver = "streaming";
        Action a = h.action("rejoin");
        assertEquals(Probe.satisfied("replica streaming from region2/dbms", "replica streaming from region2/dbms"), a.probe(h.ctx("rejoin")));
        assertFalse(a.revertible());
    }

    @Test
    void rejoin_checksumsOn_choosesPgRewind_thenStreamsAndReplaysAMarker() throws Exception {
        StepHarness h = harness(Map.of());
        afterFailover();
        pg1.checksums = true;
        Action a = h.action("rejoin");
        assertEquals(Probe.needed("primary", "replica streaming from region2/dbms"), a.probe(h.ctx("rejoin")));
        Applied applied = a.apply(h.ctx("rejoin"));
        assertTrue(applied.summary().startsWith("rejoined with rewind from region2/dbms in "), applied.summary());
        assertTrue(applied.summary().endsWith("a WAL marker at 0/5000028 written on the upstream was replayed here (0/5000028)"),
                applied.summary());
        ScriptedRunner host = h.host("region1/dbms");
        assertEquals(2, host.commandsContaining("pg_rewind' ").size(), "--dry-run, then the real run");
        assertTrue(host.commandsContaining("pg_rewind' ").get(0).endsWith(" --dry-run"));
        assertTrue(host.commandsContaining("pg_basebackup").isEmpty());
        assertTrue(pg1.inRecovery && pg1.senderHost.equals("10.2.0.30"));
        assertTrue(a.verify(h.ctx("rejoin")).ok());
        // evidence: the marker written upstream and replayed here, then the replication as verify saw it
        assertEquals(new Evidence("region1/dbms", "WAL marker written on region2/dbms at 0/5000028",
                "replayed here (replay position 0/5000028)", "replayed here", true), h.evidence.get(0));
        Evidence streaming = h.evidence.get(1);
        assertEquals(List.of("region1/dbms", "replication from region2/dbms", "streaming from region2/dbms", true),
                List.of(streaming.observer(), streaming.target(), streaming.expected(), streaming.ok()));
        assertEquals("replica, WAL receiver streaming from 10.2.0.30:5432", streaming.observed());
    }

    @Test
    void rejoin_neitherChecksumsNorWalLogHints_choosesBasebackup_keepingTheOldDataDir_andSaysWhy() throws Exception {
        StepHarness h = harness(Map.of());
        afterFailover();
        Applied applied = h.action("rejoin").apply(h.ctx("rejoin"));
        assertTrue(applied.summary().startsWith("rejoined with basebackup from region2/dbms"), applied.summary());
        ScriptedRunner host = h.host("region1/dbms");
        assertTrue(host.commandsContaining("pg_rewind' ").isEmpty());
        assertEquals(1, host.commandsContaining("pg_basebackup' -D '/var/lib/postgresql/15/main'").size());
        assertTrue(h.notices.contains("pg_rewind not possible: the cluster has neither data checksums nor wal_log_hints;"
                + " falling back to pg_basebackup"), h.notices.toString());
        assertTrue(h.notices.stream().anyMatch(n -> n.startsWith("the previous data directory was kept at /var/lib/postgresql/15/main.drctl-old-")),
                h.notices.toString());
    }

    @Test
    void rejoin_upstreamStillInRecovery_refusedBeforeAnyLocalChange() throws Exception {
        StepHarness h = harness(Map.of()); // region2 is still a replica: no failover happened
        pg1.checksums = true;
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("rejoin").apply(h.ctx("rejoin")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().contains("is in recovery (not a primary)"), f.getMessage());
        assertTrue(h.host("region1/dbms").commandsContaining("pg_ctlcluster").isEmpty(), "the server was not stopped");
    }

    @Test
    void rejoin_sitesOwnCommand_checkDecides_commandGetsTheUpstreamRegion() throws Exception {
        StepHarness h = harness(Map.of());
        ScriptedRunner host = h.host("region1/dbms");
        host.on(c -> c.equals("/usr/local/bin/is-replica 'region2'"), c -> ScriptedRunner.result(1, "", ""));
        host.on(c -> c.equals("/usr/local/bin/reseed 'region2'"), c -> ScriptedRunner.ok("reseeded\n"));
        Action a = h.action("rejoin-site");
        assertEquals(Probe.needed("site check exit 1", "replica of region2/dbms (site check exits 0)"), a.probe(h.ctx("rejoin-site")));
        assertEquals(new Applied("the site's re-seed command succeeded", "reseeded\n"), a.apply(h.ctx("rejoin-site")));
        host.on(c -> c.equals("/usr/local/bin/is-replica 'region2'"), c -> ScriptedRunner.ok(""));
        assertEquals(Verified.ok("the site's check says it streams from region2/dbms"), a.verify(h.ctx("rejoin-site")));
        assertEquals(List.of(new Evidence("region1/dbms", "the site's check", "exited 0: ", "exited 0", true)), h.evidence);
        host.on(c -> c.equals("/usr/local/bin/reseed 'region2'"), c -> ScriptedRunner.result(4, "", "no space left"));
        StepFailure f = assertThrows(StepFailure.class, () -> a.apply(h.ctx("rejoin-site")));
        assertEquals("region1/dbms: the site's re-seed command exited 4: no space left", f.getMessage());
        assertFalse(f.isRetriable());
    }
}
