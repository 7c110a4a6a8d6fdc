package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import io.drctl.testing.FakeClock;
import io.drctl.testing.ScriptedRunner;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link CommandDbms} against a scripted runner and a fake clock: parsing, idempotence, polling, timeouts. */
class CommandDbmsTest {

    private static final CommandDbmsTarget TARGET = new CommandDbmsTarget("region2/dbms", "db2.example.net", 1433,
            "10.1.2.3");
    private static final CommandDbmsTemplates TEMPLATES = CommandDbmsTemplates
            .of("promote-cmd -S {host},{port} --password-file /secret/s3cr3t", "role-cmd -S {host}", "^PRIMARY$",
                    "^SECONDARY$")
            .withLag("lag-cmd {address}", "bytes=(?<bytes>\\d*) seconds=(?<seconds>[-0-9.]*)")
            .withWriteCheck("write-cmd");
    private static final Duration POLL = Duration.ofSeconds(1);

    private final FakeClock clock = new FakeClock();
    private final ScriptedRunner runner = new ScriptedRunner();

    private CommandDbms dbms(CommandDbmsTemplates t) {
        return new CommandDbms(TARGET, t, runner, Duration.ofSeconds(30), POLL, clock, clock.sleeper());
    }

    private CommandDbms dbms() {
        return dbms(TEMPLATES);
    }

    // --- probe ---------------------------------------------------------------------------------------------------

    @Test
    void probe_replica_readsRoleAndLag_withQuotedPlaceholders() throws Exception {
        runner.on("role-cmd", 0, "\nSECONDARY\n").on("lag-cmd", 0, "bytes=4096 seconds=1.25\n");

        CommandDbmsProbe p = dbms().probe();

        assertEquals(DbmsRole.REPLICA, p.role());
        assertEquals("SECONDARY", p.detail());
        assertEquals(Optional.of(4096L), p.lag().orElseThrow().bytes());
        assertEquals(Optional.of(Duration.ofMillis(1250)), p.lag().orElseThrow().delay());
        assertEquals("role-cmd -S 'db2.example.net'", runner.commands().get(0));
        assertEquals("lag-cmd '10.1.2.3'", runner.commands().get(1));
        assertEquals(Duration.ofSeconds(30), runner.timeouts().get(0));
    }

    @Test
    void probe_lagWithNullsOrOnlySeconds_givesEmptyParts() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes= seconds=")
                .on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "x");
        CommandDbms secondsOnly = dbms(CommandDbmsTemplates.of("p", "role-cmd", "^PRIMARY$", "^SECONDARY$")
                .withLag("lag-cmd", "(?<seconds>\\d+)?"));

        ReplicaLag nulls = dbms().probe().lag().orElseThrow();
        ReplicaLag none = secondsOnly.probe().lag().orElseThrow();

        assertEquals(new ReplicaLag(Optional.empty(), Optional.empty()), nulls);
        assertEquals(new ReplicaLag(Optional.empty(), Optional.empty()), none);
    }

    @Test
    void probe_negativeSecondsFromClockSkew_isZero() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=-0.2");
        assertEquals(Optional.of(Duration.ZERO), dbms().probe().lag().orElseThrow().delay());
    }

    @Test
    void probe_primary_runsNoLagCommand() throws Exception {
        runner.on("role-cmd", 0, "PRIMARY\n");

        CommandDbmsProbe p = dbms().probe();

        assertEquals(DbmsRole.PRIMARY, p.role());
        assertTrue(p.lag().isEmpty());
        assertTrue(runner.exhausted());
    }

    @Test
    void probe_roleMatchingNeitherPattern_isUnknownWithTheOutput() throws Exception {
        runner.on("role-cmd", 0, "RESOLVING\nsecond line\n");

        CommandDbmsProbe p = dbms().probe();

        assertEquals(DbmsRole.UNKNOWN, p.role());
        assertEquals("RESOLVING | second line", p.detail());
    }

    @Test
    void probe_lagOutputNotMatching_isUnexpectedOutputQuotingIt() {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "Msg 208, Invalid object name\n");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().probe());

        assertEquals(DbmsException.Kind.UNEXPECTED_OUTPUT, e.kind());
        assertTrue(e.getMessage().contains("'Msg 208, Invalid object name'") && e.getMessage().contains("lagPattern"),
                e.getMessage());
    }

    @Test
    void probe_lagNotANumber_isUnexpectedOutput() {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=1 seconds=1.2.3");
        DbmsException e = assertThrows(DbmsException.class, () -> dbms().probe());
        assertEquals(DbmsException.Kind.UNEXPECTED_OUTPUT, e.kind(), e.getMessage());
    }

    @Test
    void probe_failures_areClassifiedAndQuoteTheLastLine() {
        runner.on("role-cmd", 1, "", "Sqlcmd: Error: Login timeout expired\nSqlcmd: Error: TCP Provider: 10060\n");
        DbmsException e = assertThrows(DbmsException.class, () -> dbms().probe());
        assertEquals(DbmsException.Kind.COMMAND_FAILED, e.kind());
        assertTrue(e.getMessage().contains("'role'") && e.getMessage().contains("got 1")
                && e.getMessage().contains("Sqlcmd: Error: TCP Provider: 10060"), e.getMessage());

        runner.on("role-cmd", 127, "", "sh: 1: role-cmd: not found");
        e = assertThrows(DbmsException.class, () -> dbms().probe());
        assertEquals(DbmsException.Kind.CLIENT_MISSING, e.kind());
        assertFalse(e.isRetriable());

        runner.fail("role-cmd", new HostAccessException(HostAccessException.Kind.UNREACHABLE, "dbms", "no route"));
        e = assertThrows(DbmsException.class, () -> dbms().probe());
        assertEquals(DbmsException.Kind.HOST_ACCESS, e.kind());
        assertTrue(e.isRetriable());
    }

    // --- promote -------------------------------------------------------------------------------------------------

    @Test
    void promote_alreadyPrimary_runsNoPromoteCommand() throws Exception {
        runner.on("role-cmd", 0, "PRIMARY").on("write-cmd", 0, "");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, r.outcome());
        assertFalse(r.changed());
        assertTrue(r.writeChecked());
        assertEquals(0, runner.count("promote-cmd"));
        assertTrue(runner.exhausted());
    }

    @Test
    void promote_replica_runsPromotePollsRoleThenWriteChecks() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0.5")
                .on("promote-cmd", 0, "Command completed")
                .on("role-cmd", 0, "SECONDARY").on("role-cmd", 0, "RESOLVING").on("role-cmd", 0, "PRIMARY")
                .on("write-cmd", 0, "")
                .on("role-cmd", 0, "PRIMARY");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertTrue(r.changed());
        assertEquals(DbmsRole.REPLICA, r.before().role());
        assertEquals(Optional.of(0L), r.before().lag().orElseThrow().bytes());
        assertEquals(DbmsRole.PRIMARY, r.after().role());
        assertTrue(r.writeChecked());
        assertEquals(2, clock.sleeps());
        assertEquals(Duration.ofSeconds(2), r.elapsed());
        assertEquals("promote-cmd -S 'db2.example.net','1433' --password-file /secret/s3cr3t", runner.commands().get(2));
        assertEquals(Duration.ofSeconds(90), runner.timeouts().get(2), "promote gets the promote timeout + 30 s");
        assertTrue(runner.exhausted());
    }

    @Test
    void promote_withoutLagOrWriteCheck_runsOnlyRoleAndPromote() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("promote-cmd", 0, "").on("role-cmd", 0, "PRIMARY")
                .on("role-cmd", 0, "PRIMARY");
        CommandDbms d = dbms(CommandDbmsTemplates.of("promote-cmd", "role-cmd", "^PRIMARY$", "^SECONDARY$"));

        CommandPromoteResult r = d.promote(Duration.ofSeconds(10));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertFalse(r.writeChecked());
        assertTrue(r.before().lag().isEmpty());
        assertFalse(d.verifyWritable());
    }

    @Test
    void promote_lagFailure_doesNotStopAPromotion() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 1, "")
                .on("promote-cmd", 0, "").on("role-cmd", 0, "PRIMARY").on("write-cmd", 0, "").on("role-cmd", 0, "PRIMARY");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(10));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertTrue(r.before().lag().isEmpty());
    }

    @Test
    void promote_staysReplica_isPromoteTimeoutQuotingTheLastRoleOutput() {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 0, "")
                .repeat(11, "role-cmd", 0, "SECONDARY");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().promote(Duration.ofSeconds(10)));

        assertEquals(DbmsException.Kind.PROMOTE_TIMEOUT, e.kind());
        assertTrue(e.isRetriable());
        assertTrue(e.getMessage().contains("within 10 s") && e.getMessage().contains("'SECONDARY' (replica)"),
                e.getMessage());
        assertEquals(10, clock.sleeps());
        assertTrue(runner.exhausted());
    }

    @Test
    void promote_commandFailsAndRoleStaysReplica_timesOutQuotingThePromoteFailure() {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 1, "", "Msg 41142: The availability replica cannot become the primary")
                .repeat(3, "role-cmd", 0, "SECONDARY");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().promote(Duration.ofSeconds(2)));

        assertEquals(DbmsException.Kind.PROMOTE_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("Msg 41142: The availability replica cannot become the primary"),
                e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), "the command line is never quoted: " + e.getMessage());
        assertEquals(DbmsException.Kind.COMMAND_FAILED, ((DbmsException) e.getCause()).kind());
    }

    @Test
    void promote_commandFailsButServerBecomesPrimary_isAlreadyPrimary() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 1, "", "already primary")
                .on("role-cmd", 0, "PRIMARY").on("write-cmd", 0, "").on("role-cmd", 0, "PRIMARY");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(10));

        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, r.outcome());
    }

    @Test
    void promote_roleFailsWhileTheServerRestarts_keepsPolling() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 0, "")
                .on("role-cmd", 1, "", "ORA-01034: ORACLE not available")
                .fail("role-cmd", new HostAccessException(HostAccessException.Kind.COMMAND_TIMEOUT, "dbms", "timed out"))
                .on("role-cmd", 0, "PRIMARY").on("write-cmd", 0, "").on("role-cmd", 0, "PRIMARY");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(10));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertEquals(2, clock.sleeps());
    }

    @Test
    void promote_promoteProgramMissing_failsAtOnce() {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 127, "", "sh: 1: promote-cmd: not found");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().promote(Duration.ofSeconds(10)));

        assertEquals(DbmsException.Kind.CLIENT_MISSING, e.kind());
        assertTrue(e.getMessage().contains("'promote'") && e.getMessage().contains("not found"), e.getMessage());
        assertTrue(runner.exhausted());
        assertEquals(0, clock.sleeps());
    }

    @Test
    void promote_unknownRole_refusesWithoutRunningAnything() {
        runner.on("role-cmd", 0, "RESOLVING");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().promote(Duration.ofSeconds(10)));

        assertEquals(DbmsException.Kind.UNEXPECTED_ROLE, e.kind());
        assertTrue(e.getMessage().contains("'RESOLVING'") && e.getMessage().contains("^PRIMARY$")
                && e.getMessage().contains("refusing to promote"), e.getMessage());
        assertEquals(0, runner.count("promote-cmd"));
        assertTrue(runner.exhausted());
    }

    @Test
    void promote_writeCheckRetriedThenPasses() throws Exception {
        runner.on("role-cmd", 0, "SECONDARY").on("lag-cmd", 0, "bytes=0 seconds=0")
                .on("promote-cmd", 0, "").on("role-cmd", 0, "PRIMARY")
                .on("write-cmd", 1, "", "Msg 922: Database is being recovered").on("write-cmd", 0, "")
                .on("role-cmd", 0, "PRIMARY");

        CommandPromoteResult r = dbms().promote(Duration.ofSeconds(10));

        assertTrue(r.writeChecked());
        assertEquals(1, clock.sleeps());
    }

    @Test
    void promote_writeCheckFailsUntilTheDeadline_isNotWritable() {
        runner.on("role-cmd", 0, "PRIMARY").repeat(4, "write-cmd", 1, "");

        DbmsException e = assertThrows(DbmsException.class, () -> dbms().promote(Duration.ofSeconds(3)));

        assertEquals(DbmsException.Kind.NOT_WRITABLE, e.kind());
        assertTrue(e.getMessage().contains("error output of write-cmd") && e.getMessage().contains("3 s"),
                e.getMessage());
        assertTrue(runner.exhausted());
    }

    @Test
    void promote_nonPositiveTimeout_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> dbms().promote(Duration.ZERO));
    }
}
