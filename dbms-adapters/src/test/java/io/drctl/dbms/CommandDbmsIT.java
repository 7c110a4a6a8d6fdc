package io.drctl.dbms;

import static io.drctl.testing.LocalPostgres.BIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Sleeper;
import io.drctl.testing.LocalPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CommandDbms} driving real PostgreSQL 15 clusters (OS user {@code postgres}, temp dir, ports 25501–25512 on
 * 127.0.0.1) through the psql templates of {@code COMMAND-DBMS.md}, run by {@link LocalCommandRunner} exactly as they
 * would be over SSH. Outcomes are judged with our own psql. Needs root (runuser).
 */
class CommandDbmsIT {

    private static final LocalCommandRunner LOCAL = LocalCommandRunner.local();

    /** The PostgreSQL templates of COMMAND-DBMS.md, psql taken from this machine's binary directory. */
    static final CommandDbmsTemplates TEMPLATES = documented();

    private static CommandDbmsTemplates documented() {
        try {
            java.util.Map<String, String> b = new java.util.LinkedHashMap<>(CommandDbmsDoc.blocks().get(0));
            b.replaceAll((k, v) -> v.replace("runuser -u postgres -- psql ", "runuser -u postgres -- " + BIN.resolve("psql") + " "));
            assertTrue(b.get("role").contains(BIN.resolve("psql").toString()), b.toString());
            return CommandDbmsDoc.templates(b);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read COMMAND-DBMS.md", e);
        }
    }

    @RegisterExtension
    static final LocalPostgres pg = new LocalPostgres("drctl-cmddb-");

    @Test
    void promote_streamingReplica_becomesWritablePrimary_andASecondPromoteRunsNothing() throws Exception {
        int primaryPort = 25501;
        int replicaPort = 25502;
        Path pd = pg.initdb("pair-primary");
        pg.start(pd, primaryPort);
        pg.psql(primaryPort, "CREATE TABLE drvm_orders (id int primary key, note text); "
                + "INSERT INTO drvm_orders VALUES (1, 'before failover')");
        pg.start(pg.basebackup("pair-replica", primaryPort), replicaPort);
        pg.waitFor(primaryPort, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", "1");
        pg.psql(primaryPort, "INSERT INTO drvm_orders VALUES (2, 'streamed')");
        pg.waitFor(replicaPort, "SELECT count(*) FROM drvm_orders", "2");
        Recording rec = new Recording(LOCAL);
        CommandDbms replica = dbms("pair-replica", replicaPort, rec);
        CommandDbms primary = dbms("pair-primary", primaryPort, rec);

        CommandDbmsProbe rp = replica.probe();
        CommandDbmsProbe pp = primary.probe();

        System.out.println("replica probe: " + rp + "\nprimary probe: " + pp);
        assertEquals(DbmsRole.REPLICA, rp.role());
        assertEquals("replica", rp.detail());
        ReplicaLag lag = rp.lag().orElseThrow();
        assertTrue(lag.bytes().orElseThrow() >= 0, lag.toString());
        assertTrue(lag.delay().isPresent(), "a transaction was replayed, so the replay delay is known: " + lag);
        assertEquals(DbmsRole.PRIMARY, pp.role());
        assertTrue(pp.lag().isEmpty());
        assertEquals("t", pg.psql(replicaPort, "SELECT pg_is_in_recovery()"));

        CommandPromoteResult r = replica.promote(Duration.ofSeconds(60));

        System.out.println("promote: " + r);
        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertTrue(r.changed());
        assertEquals(DbmsRole.REPLICA, r.before().role());
        assertEquals(DbmsRole.PRIMARY, r.after().role());
        assertTrue(r.writeChecked());
        assertEquals(1, rec.count("pg_promote"));
        // judged independently: out of recovery, takes a write, the temp table of the write check is gone
        assertEquals("f", pg.psql(replicaPort, "SELECT pg_is_in_recovery()"));
        pg.psql(replicaPort, "INSERT INTO drvm_orders VALUES (3, 'written on the new primary')");
        assertEquals("1,2,3", pg.psql(replicaPort, "SELECT string_agg(id::text, ',' ORDER BY id) FROM drvm_orders"));
        assertEquals("0", pg.psql(replicaPort, "SELECT count(*) FROM pg_class WHERE relname = 'drctl_write_probe'"));
        assertTrue(replica.verifyWritable());

        // the end-of-recovery checkpoint after a promotion is asynchronous: settle it so the control file's timeline
        // is the promoted one before comparing (under load it read 1, then 2)
        pg.psql(replicaPort, "CHECKPOINT");
        String timeline = pg.psql(replicaPort, "SELECT timeline_id FROM pg_control_checkpoint()");
        int before = rec.commands.size();
        CommandPromoteResult again = replica.promote(Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, again.outcome());
        assertFalse(again.changed());
        assertTrue(again.writeChecked());
        List<String> secondRound = rec.commands.subList(before, rec.commands.size());
        assertEquals(2, secondRound.size(), "role and write check only: " + secondRound);
        assertTrue(secondRound.stream().noneMatch(c -> c.contains("pg_promote")), secondRound.toString());
        assertEquals(1, rec.count("pg_promote"));
        assertEquals(timeline, pg.psql(replicaPort, "SELECT timeline_id FROM pg_control_checkpoint()"));
        // the rendered commands carry the quoted values
        assertTrue(rec.commands.get(0).contains(" -h '127.0.0.1' -p '" + replicaPort + "' "), rec.commands.get(0));
    }

    @Test
    void promote_readOnlyPrimary_isNotWritableQuotingTheServer() throws Exception {
        int port = 25511;
        Path d = pg.initdb("readonly");
        pg.start(d, port);
        pg.psql(port, "ALTER SYSTEM SET default_transaction_read_only = on");
        pg.psql(port, "SELECT pg_reload_conf()");
        pg.waitFor(port, "SHOW default_transaction_read_only", "on");
        CommandDbms dbms = new CommandDbms(new CommandDbmsTarget("readonly", "127.0.0.1", port, "127.0.0.1"),
                TEMPLATES, LOCAL, Duration.ofSeconds(30), Duration.ofMillis(200), Clock.systemUTC(), Sleeper.system());

        DbmsException e = assertThrows(DbmsException.class, () -> dbms.promote(Duration.ofSeconds(2)));

        System.out.println("read-only: " + e.getMessage());
        assertEquals(DbmsException.Kind.NOT_WRITABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("read-only transaction"), e.getMessage());
    }

    @Test
    void probe_nothingListening_isCommandFailedQuotingPsql() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        CommandDbms dbms = dbms("nothing", port, LOCAL);

        DbmsException e = assertThrows(DbmsException.class, dbms::probe);

        assertEquals(DbmsException.Kind.COMMAND_FAILED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("'role'") && e.getMessage().contains("got 2")
                && e.getMessage().contains("accepting TCP/IP connections"), e.getMessage());
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static CommandDbms dbms(String name, int port, CommandRunner runner) {
        return new CommandDbms(new CommandDbmsTarget(name, "127.0.0.1", port, "127.0.0.1"), TEMPLATES, runner,
                Duration.ofSeconds(30), Duration.ofMillis(200), Clock.systemUTC(), Sleeper.system());
    }

    /** Runs commands locally and keeps them. */
    private static final class Recording implements CommandRunner {
        final List<String> commands = Collections.synchronizedList(new ArrayList<>());
        private final CommandRunner delegate;

        Recording(CommandRunner delegate) {
            this.delegate = delegate;
        }

        @Override
        public CommandResult run(String command, Duration timeout) throws HostAccessException {
            commands.add(command);
            return delegate.run(command, timeout);
        }

        long count(String fragment) {
            return commands.stream().filter(c -> c.contains(fragment)).count();
        }

        @Override
        public String describe() {
            return "local (recorded)";
        }
    }
}
