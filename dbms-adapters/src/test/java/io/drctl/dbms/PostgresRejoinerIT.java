package io.drctl.dbms;

import static io.drctl.testing.LocalPostgres.BIN;
import static io.drctl.testing.LocalPostgres.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Shell;
import io.drctl.host.Sleeper;
import io.drctl.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real PostgreSQL 15 clusters (OS user {@code postgres}, temp dir, ports 25401–25442 on 127.0.0.1): a primary P and a
 * streaming replica R made by {@code pg_basebackup -R}; R is promoted, both take writes (the timelines diverge), and
 * the rejoiner makes P a replica of R through {@link LocalCommandRunner} exactly as it would over SSH. Outcomes are
 * judged with our own psql: rows, {@code pg_stat_wal_receiver}, files. Needs root (runuser).
 */
class PostgresRejoinerIT {

    private static final LocalCommandRunner LOCAL = LocalCommandRunner.local();

    @RegisterExtension
    static final LocalPostgres pg = new LocalPostgres("drctl-rejoin-");

    // --- scenarios ---------------------------------------------------------------------------------------------

    @Test
    void rejoin_walLogHints_rewindsOldPrimaryWhichThenStreamsNewRows() throws Exception {
        Pair p = Pair.make("hints", 25401, 25402, true);
        p.failover();
        pg.psql(p.primaryPort, "INSERT INTO drvm_orders VALUES (100, 'lost: written on the old primary after failover')");
        UpstreamSpec upstream = UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres").withSlot("region_a")
                .withApplicationName("region-a");
        PostgresRejoiner rejoiner = p.rejoinerOfOldPrimary();

        RejoinResult r = rejoiner.rejoin(upstream, RejoinOptions.defaults());

        assertEquals(RejoinMethod.REWIND, r.method(), r.toString());
        assertTrue(r.oldDataDir().isEmpty());
        assertEquals(StreamingCheck.State.PRIMARY, r.before().state());
        assertTrue(r.after().streamingFromUpstream(), r.toString());
        // judged independently: P is in recovery, its WAL receiver streams from R through the slot
        assertEquals("t", pg.psql(p.primaryPort, "SELECT pg_is_in_recovery()"));
        assertEquals("streaming|127.0.0.1|" + p.replicaPort + "|region_a", pg.psql(p.primaryPort,
                "SELECT status, sender_host, sender_port, slot_name FROM pg_stat_wal_receiver"));
        assertEquals("region-a|streaming", pg.psql(p.replicaPort,
                "SELECT application_name, state FROM pg_stat_replication"));
        assertEquals("t", pg.psql(p.replicaPort, "SELECT active FROM pg_replication_slots WHERE slot_name = 'region_a'"));
        // the rows written on R after the failover are on P, the diverged write on P is gone
        assertEquals("1,2,3", pg.psql(p.primaryPort, "SELECT string_agg(id::text, ',' ORDER BY id) FROM drvm_orders"));
        // a row written on R now appears on P
        pg.psql(p.replicaPort, "INSERT INTO drvm_orders VALUES (4, 'after the rejoin')");
        ReplicationProof proof = rejoiner.proveReplication(upstream, Duration.ofSeconds(60));
        assertEquals("after the rejoin", pg.psql(p.primaryPort, "SELECT note FROM drvm_orders WHERE id = 4"));
        System.out.println("rewind rejoin: " + r + "\nproof: " + proof);

        // second rejoin: a no-op that changes nothing
        String autoConf = Files.readString(p.primaryDir.resolve("postgresql.auto.conf"));
        String pid = Files.readAllLines(p.primaryDir.resolve("postmaster.pid")).get(0);
        RejoinResult again = rejoiner.rejoin(upstream, RejoinOptions.defaults());
        assertEquals(RejoinMethod.NONE, again.method());
        assertFalse(again.changed());
        assertTrue(rejoiner.check(upstream).streamingFromUpstream());
        assertEquals(autoConf, Files.readString(p.primaryDir.resolve("postgresql.auto.conf")));
        assertEquals(pid, Files.readAllLines(p.primaryDir.resolve("postmaster.pid")).get(0), "not restarted");
    }

    @Test
    void rejoin_oldPrimaryCrashed_recoversInSingleUserModeThenRewinds() throws Exception {
        Pair p = Pair.make("crashed", 25441, 25442, true);
        p.failover();
        pg.psql(p.primaryPort, "INSERT INTO drvm_orders VALUES (100, 'lost: written on the old primary after failover')");
        // region A loses power: no shutdown checkpoint
        pg.asPostgres(BIN.resolve("pg_ctl") + " stop -D " + q(p.primaryDir) + " -m immediate -w -t 30");
        UpstreamSpec upstream = UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres");
        PostgresRejoiner rejoiner = p.rejoinerOfOldPrimary();

        RejoinResult r = rejoiner.rejoin(upstream, RejoinOptions.defaults());

        assertEquals(StreamingCheck.State.STOPPED, r.before().state());
        assertEquals(RejoinMethod.REWIND, r.method(), r.toString());
        assertEquals("streaming|" + p.replicaPort, pg.psql(p.primaryPort,
                "SELECT status, sender_port FROM pg_stat_wal_receiver"));
        pg.psql(p.replicaPort, "INSERT INTO drvm_orders VALUES (4, 'after the rejoin')");
        rejoiner.proveReplication(upstream, Duration.ofSeconds(60));
        assertEquals("1,2,3,4", pg.psql(p.primaryPort, "SELECT string_agg(id::text, ',' ORDER BY id) FROM drvm_orders"));
    }

    @Test
    void rejoin_noChecksumsNoHints_reseedsWithBasebackupAndKeepsOldDataDir() throws Exception {
        Pair p = Pair.make("plain", 25411, 25412, false);
        p.failover();
        pg.psql(p.primaryPort, "INSERT INTO drvm_orders VALUES (100, 'lost: written on the old primary after failover')");
        UpstreamSpec upstream = UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres");
        PostgresRejoiner rejoiner = p.rejoinerOfOldPrimary();

        RejoinResult r = rejoiner.rejoin(upstream, RejoinOptions.defaults());

        assertEquals(RejoinMethod.BASEBACKUP, r.method(), r.toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("neither data checksums nor wal_log_hints")), r.notes().toString());
        Path old = r.oldDataDir().orElseThrow();
        assertTrue(old.getFileName().toString().startsWith("plain-primary.drctl-old-"), old.toString());
        assertTrue(Files.isRegularFile(old.resolve("PG_VERSION")), "old data dir kept: " + old);
        assertEquals("streaming|" + p.replicaPort, pg.psql(p.primaryPort,
                "SELECT status, sender_port FROM pg_stat_wal_receiver"));
        assertEquals("1,2,3", pg.psql(p.primaryPort, "SELECT string_agg(id::text, ',' ORDER BY id) FROM drvm_orders"));
        pg.psql(p.replicaPort, "INSERT INTO drvm_orders VALUES (4, 'after the reseed')");
        rejoiner.proveReplication(upstream, Duration.ofSeconds(60));
        assertEquals("after the reseed", pg.psql(p.primaryPort, "SELECT note FROM drvm_orders WHERE id = 4"));
        assertTrue(rejoiner.check(upstream).streamingFromUpstream());
        System.out.println("basebackup rejoin: " + r);
    }

    @Test
    void rejoin_upstreamRefusesReplication_isReplicationRefusedAndLeavesLocalIntact() throws Exception {
        Pair p = Pair.make("refused", 25421, 25422, true);
        p.failover();
        // the new primary refuses replication connections from 127.0.0.1
        Path hba = p.replicaDir.resolve("pg_hba.conf");
        Path tmp = pg.dir("hba.tmp");
        pg.sh("printf '%s\\n' 'host replication all 127.0.0.1/32 reject' > " + q(tmp) + " && cat " + q(hba) + " >> " + q(tmp)
                + " && cat " + q(tmp) + " > " + q(hba) + " && rm " + q(tmp));
        pg.psql(p.replicaPort, "SELECT pg_reload_conf()");
        String listingBefore = listing(p.primaryDir);
        String pid = Files.readAllLines(p.primaryDir.resolve("postmaster.pid")).get(0);

        DbmsException e = assertThrows(DbmsException.class, () -> p.rejoinerOfOldPrimary().rejoin(
                UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres"), RejoinOptions.defaults()));

        System.out.println("refused: " + e.getMessage());
        assertEquals(DbmsException.Kind.REPLICATION_REFUSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + p.replicaPort) && e.getMessage().contains("pg_hba"),
                e.getMessage());
        assertTrue(e.getMessage().contains(p.primaryDir.toString()), e.getMessage());
        // the old primary still runs untouched, as the same postmaster, with its rows and files
        assertEquals(pid, Files.readAllLines(p.primaryDir.resolve("postmaster.pid")).get(0));
        assertEquals("f", pg.psql(p.primaryPort, "SELECT pg_is_in_recovery()"));
        assertEquals("1,2", pg.psql(p.primaryPort, "SELECT string_agg(id::text, ',' ORDER BY id) FROM drvm_orders"));
        assertEquals(listingBefore, listing(p.primaryDir));
        try (Stream<Path> s = Files.list(pg.base())) {
            assertTrue(s.noneMatch(x -> x.getFileName().toString().startsWith("refused-primary.drctl-")));
        }
    }

    @Test
    void rejoin_replicaAlreadyStreamingFromUpstream_changesNothing() throws Exception {
        Pair p = Pair.make("idem", 25431, 25432, false);
        Path conf = p.replicaDir.resolve("postgresql.auto.conf");
        String confBefore = Files.readString(conf);
        String pid = Files.readAllLines(p.replicaDir.resolve("postmaster.pid")).get(0);
        PostgresRejoiner rejoiner = p.rejoiner("idem-replica", p.replicaDir, p.replicaPort);
        UpstreamSpec upstream = UpstreamSpec.of("127.0.0.1", p.primaryPort, "postgres");

        StreamingCheck c = rejoiner.check(upstream);
        RejoinResult r = rejoiner.rejoin(upstream, RejoinOptions.defaults());

        assertTrue(c.streamingFromUpstream(), c.toString());
        assertEquals(RejoinMethod.NONE, r.method());
        assertEquals(confBefore, Files.readString(conf));
        assertEquals(pid, Files.readAllLines(p.replicaDir.resolve("postmaster.pid")).get(0));
        assertEquals("streaming", pg.psql(p.replicaPort, "SELECT status FROM pg_stat_wal_receiver"));
        // the same replica, asked about another upstream (the wrong port), does not claim to stream from it
        assertFalse(rejoiner.check(UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres")).streamingFromUpstream());
        // and the old primary, asked whether it streams from its replica: a primary, not streaming
        StreamingCheck primary = p.rejoinerOfOldPrimary().check(UpstreamSpec.of("127.0.0.1", p.replicaPort, "postgres"));
        assertEquals(StreamingCheck.State.PRIMARY, primary.state());
        assertFalse(primary.streamingFromUpstream());
    }

    // --- clusters ----------------------------------------------------------------------------------------------

    /** A primary with rows 1 and 2 and a streaming replica of it. */
    private record Pair(String name, int primaryPort, int replicaPort, Path primaryDir, Path replicaDir) {

        static Pair make(String name, int primaryPort, int replicaPort, boolean walLogHints) throws Exception {
            Path pd = pg.initdb(name + "-primary");
            if (walLogHints) {
                // wal_keep_size: pg_rewind reads the old primary's WAL back to the last checkpoint before the fork
                pg.asPostgres("sh -c " + Shell.quote("printf '%s\\n' 'wal_log_hints = on' 'wal_keep_size = 256MB' >> "
                        + q(pd.resolve("postgresql.conf"))));
            }
            pg.start(pd, primaryPort);
            pg.psql(primaryPort, "CREATE TABLE drvm_orders (id int primary key, note text); "
                    + "INSERT INTO drvm_orders VALUES (1, 'before failover')");
            Path rd = pg.basebackup(name + "-replica", primaryPort);
            pg.start(rd, replicaPort);
            pg.waitFor(primaryPort, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", "1");
            pg.psql(primaryPort, "INSERT INTO drvm_orders VALUES (2, 'streamed')");
            pg.waitFor(replicaPort, "SELECT count(*) FROM drvm_orders", "2");
            return new Pair(name, primaryPort, replicaPort, pd, rd);
        }

        /** Promotes the replica (the old primary keeps running, as after a region partition) and writes on it. */
        void failover() throws Exception {
            PromoteResult r = PostgresPromoter.of(LOCAL, PostgresInstance.debian(name + "-replica", "127.0.0.1",
                    replicaPort, 15, replicaDir)).promote(PromoteMethod.PG_PROMOTE, Duration.ofSeconds(60));
            assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
            pg.psql(replicaPort, "INSERT INTO drvm_orders VALUES (3, 'written on the new primary')");
        }

        PostgresRejoiner rejoinerOfOldPrimary() {
            return rejoiner(name + "-primary", primaryDir, primaryPort);
        }

        PostgresRejoiner rejoiner(String instance, Path dir, int port) {
            ServerControl control = new ServerControl.PgCtl(Optional.of(pg.serverOptions(port)), Optional.of(pg.log(dir)), 60);
            return new PostgresRejoiner(LOCAL, PostgresInstance.debian(instance, "127.0.0.1", port, 15, dir),
                    control, Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(200));
        }
    }

    /** Names and sizes of the data directory's top-level files, and its subdirectories (none a running server changes). */
    private static String listing(Path dir) throws Exception {
        return pg.sh("cd " + q(dir) + " && find . -maxdepth 1 \\( -type f -printf '%p %s\\n' \\) -o \\( -type d -printf '%p/\\n' \\) | sort");
    }
}
