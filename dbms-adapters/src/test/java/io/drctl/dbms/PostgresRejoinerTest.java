package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decision logic and command construction with a scripted host; the standby-config script runs for real. */
class PostgresRejoinerTest {

    private static final String US = PgClient.FIELD_SEP;
    private static final Path DATA = Path.of("/var/lib/postgresql/15/main");
    private static final PostgresInstance LOCAL = PostgresInstance.debian("region1/dbms", "/var/run/postgresql", 5432,
            15, DATA);
    private static final UpstreamSpec UPSTREAM = UpstreamSpec.of("10.2.0.20", 5432, "replicator")
            .withAdminUser("drctl_admin");
    private static final String SYSID = "7714582467838608139";

    /** Answers commands by the first rule whose key the command contains; a rule's last answer repeats. */
    private static final class ScriptedHost implements CommandRunner {
        final Map<String, Deque<CommandResult>> rules = new LinkedHashMap<>();
        final List<String> commands = new ArrayList<>();

        ScriptedHost on(String key, CommandResult... answers) {
            rules.put(key, new ArrayDeque<>(List.of(answers)));
            return this;
        }

        @Override
        public CommandResult run(String command, Duration timeout) {
            commands.add(command);
            for (Map.Entry<String, Deque<CommandResult>> e : rules.entrySet()) {
                if (command.contains(e.getKey())) {
                    Deque<CommandResult> q = e.getValue();
                    return q.size() > 1 ? q.poll() : q.peek();
                }
            }
            if (command.contains("CHECKPOINT")) {
                return ok(""); // before pg_rewind, on the upstream: settles a just-promoted server's timeline
            }
            throw new AssertionError("unscripted command: " + command);
        }

        @Override
        public String describe() {
            return "scripted region1/dbms";
        }

        boolean ran(String key) {
            return commands.stream().anyMatch(c -> c.contains(key));
        }
    }

    private static CommandResult ok(String stdout) {
        return new CommandResult(0, stdout, "", Duration.ZERO);
    }

    private static CommandResult exit(int code, String stderr) {
        return new CommandResult(code, "", stderr, Duration.ZERO);
    }

    private static String row(String... cols) {
        return String.join(US, cols) + "\n";
    }

    private static String controlData(String state, int checksums, String hints, String sysid) {
        return "pg_control version number:            1300\n"
                + "Database system identifier:           " + sysid + "\n"
                + "Database cluster state:               " + state + "\n"
                + "Latest checkpoint's TimeLineID:       1\n"
                + "wal_log_hints setting:                " + hints + "\n"
                + "Data page checksum version:           " + checksums + "\n";
    }

    /** A running old primary, a healthy upstream primary (superuser admin role), a cleanly stopping server. */
    private static ScriptedHost oldPrimary(String hints, String upstreamSysid) {
        return new ScriptedHost()
                .on("pg_ctl' status", ok("pg_ctl: server is running"), exit(3, ""), ok("running"))
                .on("pg_is_in_recovery(), w.pid", ok(row("f", "", "", "", "", "")),
                        ok(row("t", "4242", "streaming", "10.2.0.20", "5432", "")))
                .on("IDENTIFY_SYSTEM", ok(row(upstreamSysid, "2", "0/3000148", "")))
                .on("rolsuper", ok(row("f", "t", "t", "t", "on")))
                .on("pg_controldata", ok(controlData("in production", 0, hints, SYSID)),
                        ok(controlData("shut down", 0, hints, SYSID)))
                .on("-m fast stop", ok("server stopped"))
                .on("--dry-run", ok("pg_rewind: no rewind required"))
                .on("pg_rewind", ok("pg_rewind: Done!"))
                .on("test -e", exit(1, ""))
                .on("mv --", ok(""))
                .on("pg_basebackup", ok(""))
                .on("standby.signal", ok(""))
                .on("pg_replication_slots", ok(""))
                .on("pg_create_physical_replication_slot", ok(row("(region1,)")))
                .on(" start", ok("server started"));
    }

    private static final Instant T0 = Instant.parse("2026-03-01T10:20:30Z");

    private static PostgresRejoiner rejoiner(CommandRunner host, FakeClock clock) {
        return new PostgresRejoiner(host, LOCAL, ServerControl.PgCtl.plain(), clock, clock.sleeper(), Duration.ofSeconds(1));
    }

    private static PostgresRejoiner rejoiner(CommandRunner host) {
        return rejoiner(host, new FakeClock(T0));
    }

    @Test
    void rejoin_alreadyStreamingFromUpstream_isNone() throws Exception {
        ScriptedHost host = new ScriptedHost()
                .on("pg_ctl' status", ok("running"))
                .on("pg_is_in_recovery(), w.pid", ok(row("t", "4242", "streaming", "10.2.0.20", "5432", "")));

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults());

        assertEquals(RejoinMethod.NONE, r.method());
        assertFalse(r.changed());
        assertEquals(2, host.commands.size(), host.commands.toString());
    }

    @Test
    void check_streamingFromAnotherPortOrSlot_isNotFromUpstream() throws Exception {
        ScriptedHost host = new ScriptedHost()
                .on("pg_ctl' status", ok("running"))
                .on("pg_is_in_recovery(), w.pid", ok(row("t", "4242", "streaming", "10.2.0.20", "5433", "")));
        assertFalse(rejoiner(host).check(UPSTREAM).streamingFromUpstream());

        ScriptedHost slot = new ScriptedHost()
                .on("pg_ctl' status", ok("running"))
                .on("pg_is_in_recovery(), w.pid", ok(row("t", "4242", "streaming", "10.2.0.20", "5432", "other")));
        assertFalse(rejoiner(slot).check(UPSTREAM.withSlot("region1")).streamingFromUpstream());
        assertTrue(rejoiner(slot).check(UPSTREAM).streamingFromUpstream(), "no slot asked for: any slot will do");
    }

    @Test
    void check_stoppedAndMissingDataDir_areStates() throws Exception {
        ScriptedHost stopped = new ScriptedHost().on("pg_ctl' status", exit(3, "")).on("test -f", ok(""));
        ScriptedHost missing = new ScriptedHost().on("pg_ctl' status", exit(4, "pg_ctl: directory does not exist"));

        assertEquals(StreamingCheck.State.STOPPED, rejoiner(stopped).check(UPSTREAM).state());
        assertEquals(StreamingCheck.State.NO_DATA_DIR, rejoiner(missing).check(UPSTREAM).state());
    }

    @Test
    void check_walReceiverHiddenFromRole_isConfigError() {
        ScriptedHost host = new ScriptedHost()
                .on("pg_ctl' status", ok("running"))
                .on("pg_is_in_recovery(), w.pid", ok(row("t", "4242", "", "", "", "")));

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host).check(UPSTREAM));

        assertEquals(DbmsException.Kind.CONFIG, e.kind());
        assertTrue(e.getMessage().contains("pg_read_all_stats"), e.getMessage());
    }

    @Test
    void rejoin_walLogHintsOn_rewindsAfterCleanStop() throws Exception {
        ScriptedHost host = oldPrimary("on", SYSID);

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults());

        assertEquals(RejoinMethod.REWIND, r.method(), r.toString());
        assertTrue(r.oldDataDir().isEmpty());
        assertTrue(r.after().streamingFromUpstream());
        assertFalse(host.ran("--single"), "a clean shutdown needs no crash recovery");
        assertFalse(host.ran("pg_basebackup"));
    }

    @Test
    void rejoin_noChecksumsNoHints_basebackupWithOldDirAsideAndNote() throws Exception {
        ScriptedHost host = oldPrimary("off", SYSID);

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults());

        assertEquals(RejoinMethod.BASEBACKUP, r.method());
        assertEquals(Optional.of(Path.of("/var/lib/postgresql/15/main.drctl-old-20260301T102030Z")), r.oldDataDir());
        assertTrue(r.notes().get(0).contains("neither data checksums nor wal_log_hints; falling back to pg_basebackup"),
                r.notes().toString());
        assertFalse(host.ran("pg_rewind"));
    }

    @Test
    void rejoin_rewindDryRunFails_fallsBackToBasebackup() throws Exception {
        ScriptedHost host = oldPrimary("on", SYSID);
        host.rules.put("--dry-run", new ArrayDeque<>(List.of(exit(1, "pg_rewind: error: could not find previous WAL record at 0/2000100"))));

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults());

        assertEquals(RejoinMethod.BASEBACKUP, r.method());
        assertTrue(r.notes().get(0).contains("could not find previous WAL record") && r.notes().get(0).contains("wal_keep_size"),
                r.notes().toString());
    }

    @Test
    void rejoin_noHintsAndBasebackupNotAllowed_refusesBeforeStopping() {
        ScriptedHost host = oldPrimary("off", SYSID);

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host).rejoin(UPSTREAM,
                RejoinOptions.defaults().withAllowBasebackup(false)));

        assertEquals(DbmsException.Kind.REWIND_FAILED, e.kind());
        assertTrue(e.getMessage().contains("Nothing was changed"), e.getMessage());
        assertFalse(host.ran("-m fast stop"), host.commands.toString());
    }

    @Test
    void rejoin_upstreamOfAnotherCluster_isRefusedBeforeStopping() {
        ScriptedHost host = oldPrimary("on", "1111111111111111111");

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults()));

        assertEquals(DbmsException.Kind.UPSTREAM_MISMATCH, e.kind());
        assertTrue(e.getMessage().contains("1111111111111111111") && e.getMessage().contains(SYSID), e.getMessage());
        assertFalse(host.ran("-m fast stop"));
    }

    @Test
    void rejoin_upstreamOfAnotherClusterAllowed_reseedsByBasebackup() throws Exception {
        ScriptedHost host = oldPrimary("on", "1111111111111111111");

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults().withAllowUnrelatedUpstream(true));

        assertEquals(RejoinMethod.BASEBACKUP, r.method());
    }

    @Test
    void rejoin_upstreamStillInRecovery_isRefusedBeforeStopping() {
        ScriptedHost host = oldPrimary("on", SYSID);
        host.rules.put("rolsuper", new ArrayDeque<>(List.of(ok(row("t", "t", "t", "t", "on")))));

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults()));

        assertEquals(DbmsException.Kind.UPSTREAM_MISMATCH, e.kind());
        assertTrue(e.getMessage().contains("promote the upstream first"), e.getMessage());
        assertFalse(host.ran("-m fast stop"));
    }

    @Test
    void rejoin_replicationConnectionRefused_isReplicationRefused() {
        ScriptedHost host = oldPrimary("on", SYSID);
        host.rules.put("IDENTIFY_SYSTEM", new ArrayDeque<>(List.of(exit(2, "psql: error: connection to server at "
                + "\"10.2.0.20\", port 5432 failed: FATAL:  pg_hba.conf rejects replication connection"))));

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host).rejoin(UPSTREAM, RejoinOptions.defaults()));

        assertEquals(DbmsException.Kind.REPLICATION_REFUSED, e.kind());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("10.2.0.20:5432") && e.getMessage().contains("replicator")
                && e.getMessage().contains(DATA.toString()), e.getMessage());
        assertFalse(host.ran("-m fast stop"));
    }

    @Test
    void rejoin_slotWanted_createsMissingSlot() throws Exception {
        ScriptedHost host = oldPrimary("on", SYSID);
        host.rules.put("pg_is_in_recovery(), w.pid", new ArrayDeque<>(List.of(ok(row("f", "", "", "", "", "")),
                ok(row("t", "4242", "streaming", "10.2.0.20", "5432", "region1")))));

        RejoinResult r = rejoiner(host).rejoin(UPSTREAM.withSlot("region1"), RejoinOptions.defaults());

        assertTrue(r.notes().contains("created physical replication slot region1 on 10.2.0.20:5432"), r.notes().toString());
    }

    @Test
    void rejoin_neverStreams_isReplicationTimeout() {
        ScriptedHost host = oldPrimary("on", SYSID);
        host.rules.put("pg_is_in_recovery(), w.pid", new ArrayDeque<>(List.of(ok(row("f", "", "", "", "", "")),
                ok(row("t", "", "", "", "", "")))));
        FakeClock clock = new FakeClock(T0);

        DbmsException e = assertThrows(DbmsException.class, () -> rejoiner(host, clock).rejoin(UPSTREAM,
                RejoinOptions.defaults().withStreamTimeout(Duration.ofSeconds(30))));

        assertEquals(DbmsException.Kind.REPLICATION_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("wal receiver absent"), e.getMessage());
        assertTrue(!clock.instant().isBefore(T0.plusSeconds(30)), clock.instant().toString());
    }

    @Test
    void rejoin_withoutDataDir_isConfigError() {
        PostgresRejoiner r = new PostgresRejoiner(new ScriptedHost(), PostgresInstance.debian("x", "127.0.0.1", 5432,
                15, null), ServerControl.PgCtl.plain(), Clock.systemUTC(), d -> { }, Duration.ofSeconds(1));

        DbmsException e = assertThrows(DbmsException.class, () -> r.rejoin(UPSTREAM, RejoinOptions.defaults()));

        assertEquals(DbmsException.Kind.CONFIG, e.kind());
    }

    @Test
    void commands_quoteEveryValue() {
        DataDirectory r = new DataDirectory(new PgClient(new ScriptedHost(), LOCAL), ServerControl.PgCtl.plain());
        UpstreamSpec up = UPSTREAM.withSlot("region1").withApplicationName("region1-dbms");

        assertEquals("runuser -u 'postgres' -- env LC_ALL=C '/usr/lib/postgresql/15/bin/pg_rewind' "
                + "--target-pgdata='/var/lib/postgresql/15/main' --source-server='host=10.2.0.20 port=5432 "
                + "user=drctl_admin dbname=postgres connect_timeout=10' --dry-run",
                r.rewindCommand(up, RejoinOptions.defaults(), true));
        assertEquals("runuser -u 'postgres' -- '/usr/lib/postgresql/15/bin/pg_basebackup' -D "
                + "'/var/lib/postgresql/15/main' -d 'host=10.2.0.20 port=5432 user=replicator "
                + "application_name=region1-dbms connect_timeout=10' -R -X stream -c fast -w -S 'region1'",
                r.basebackupCommand(up));
        assertEquals("host=10.2.0.20 port=5432 user=replicator application_name=region1-dbms", up.primaryConninfo());
    }

    @Test
    void serverControl_commands() {
        ServerControl.PgCtl pgCtl = new ServerControl.PgCtl(Optional.of("-p 5433 -k /tmp"),
                Optional.of(Path.of("/var/log/pg.log")), 60);
        assertEquals("runuser -u 'postgres' -- '/usr/lib/postgresql/15/bin/pg_ctl' -D '/var/lib/postgresql/15/main' "
                + "-l '/var/log/pg.log' -w -t 60 -o '-p 5433 -k /tmp' start", pgCtl.startCommand(LOCAL));
        assertEquals("runuser -u 'postgres' -- '/usr/lib/postgresql/15/bin/pg_ctl' -D '/var/lib/postgresql/15/main' "
                + "-w -t 60 -m fast stop", pgCtl.stopCommand(LOCAL));
        ServerControl.PgCtlCluster debian = new ServerControl.PgCtlCluster("15", "main");
        assertEquals("pg_ctlcluster '15' 'main' stop -m fast", debian.stopCommand(LOCAL));
        assertEquals(Optional.of(Path.of("/etc/postgresql/15/main/postgresql.conf")), debian.configFile());
        assertEquals("systemctl start 'postgresql@15-main'",
                new ServerControl.Systemd("postgresql@15-main", Optional.empty()).startCommand(LOCAL));
    }

    @Test
    void values_unsafe_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> UpstreamSpec.of("10.2.0.20 sslmode=disable", 5432, "r"));
        assertThrows(IllegalArgumentException.class, () -> UpstreamSpec.of("10.2.0.20", 5432, "r'x"));
        assertThrows(IllegalArgumentException.class, () -> UPSTREAM.withSlot("Region-1"));
        assertThrows(IllegalArgumentException.class, () -> UPSTREAM.withApplicationName("a b"));
        assertThrows(IllegalArgumentException.class, () -> new ServerControl.PgCtl(Optional.of("-p 1; rm -rf /"),
                Optional.empty(), 60));
        assertThrows(IllegalArgumentException.class, () -> new ServerControl.Systemd("x;y", Optional.empty()));
    }

    @Test
    void controlData_parse_readsWhatPgRewindNeeds() {
        ControlData c = ControlData.parse(controlData("shut down in recovery", 1, "off", SYSID));
        assertEquals(SYSID, c.systemId());
        assertTrue(c.checksums() && c.rewindable() && c.cleanlyShutDown());
        assertFalse(ControlData.parse(controlData("in production", 0, "off", SYSID)).rewindable());
        assertThrows(IllegalArgumentException.class, () -> ControlData.parse("garbage"));
    }

    @Test
    void standbyConfig_replacesPrimaryLinesAndWritesSignal(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("postgresql.auto.conf"), "# Do not edit this file manually!\n"
                + "work_mem = '8MB'\n"
                + "primary_conninfo = 'user=postgres password=secret host=10.1.0.10 port=5432 sslmode=prefer'\n"
                + "  primary_slot_name='old'\n");
        PostgresInstance asRunner = new PostgresInstance("t", "127.0.0.1", 5432, Optional.empty(), "postgres",
                "postgres", Optional.empty(), Optional.of(dir));
        DataDirectory r = new DataDirectory(new PgClient(LocalCommandRunner.local(), asRunner),
                ServerControl.PgCtl.plain());

        CommandResult res = LocalCommandRunner.local().run(r.standbyConfigCommand(UPSTREAM.withSlot("region1")),
                Duration.ofSeconds(10));

        assertTrue(res.succeeded(), res.toString());
        assertEquals("# Do not edit this file manually!\n"
                + "work_mem = '8MB'\n"
                + "primary_conninfo = 'host=10.2.0.20 port=5432 user=replicator'\n"
                + "primary_slot_name = 'region1'\n", Files.readString(dir.resolve("postgresql.auto.conf")));
        assertTrue(Files.exists(dir.resolve("standby.signal")));
        assertFalse(Files.exists(dir.resolve("postgresql.auto.conf.drctl-tmp")));
    }
}
