package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Shell;
import io.drctl.host.Sleeper;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes and promotes any DBMS through command templates ({@link CommandDbmsTemplates}) run on (or near) the DBMS
 * host by a {@link CommandRunner}: SQL Server Always On through {@code sqlcmd}, Oracle Data Guard through
 * {@code dgmgrl}, PostgreSQL through {@code psql} (see {@code dbms-adapters/COMMAND-DBMS.md}).
 *
 * <p>The contract mirrors {@link PostgresPromoter}: {@link #probe()} is read-only (role, and lag on a replica);
 * {@link #promote} is idempotent — a server whose role is already primary is not touched (the promote command is
 * not run; outcome {@link PromoteResult.Outcome#ALREADY_PRIMARY}). Otherwise the promote command runs, then the role
 * command is polled until it reports primary, bounded by the timeout (a DBMS may restart or pass through an
 * intermediate role meanwhile: failed or unknown role answers are retried until the deadline), and then the
 * {@code writeCheck} command, if configured, is retried until it exits 0 or the deadline passes.
 *
 * <p>Failures are {@link DbmsException}s: exit 126/127 = {@link DbmsException.Kind#CLIENT_MISSING}, another non-zero
 * exit = {@link DbmsException.Kind#COMMAND_FAILED}, an unreachable host or a command timeout =
 * {@link DbmsException.Kind#HOST_ACCESS}. Messages name the template (never the rendered command line, which may
 * carry connection details) and quote the command's last output line.
 */
public final class CommandDbms {

    private static final Logger log = LoggerFactory.getLogger(CommandDbms.class);
    private static final int DETAIL_MAX = 200;

    private final CommandDbmsTarget target;
    private final CommandDbmsTemplates templates;
    private final CommandRunner runner;
    private final Duration commandTimeout;
    private final Duration pollInterval;
    private final Clock clock;
    private final Sleeper sleeper;

    /**
     * @param target         the server and its placeholder values
     * @param templates      the commands and the patterns reading their output
     * @param runner         where the commands run
     * @param commandTimeout limit for each role, lag and write-check command (the promote command gets the
     *                       promote timeout plus 30 s)
     * @param pollInterval   wait between role polls (and write-check retries) after the promote command
     * @param clock          measures the promote timeout
     * @param sleeper        waits between polls
     */
    public CommandDbms(CommandDbmsTarget target, CommandDbmsTemplates templates, CommandRunner runner,
                       Duration commandTimeout, Duration pollInterval, Clock clock, Sleeper sleeper) {
        this.target = Objects.requireNonNull(target, "target");
        this.templates = Objects.requireNonNull(templates, "templates");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.commandTimeout = positive("commandTimeout", commandTimeout);
        this.pollInterval = positive("pollInterval", pollInterval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Defaults: 60 s per command, role polled every second, system clock, real sleeps. */
    public static CommandDbms of(CommandDbmsTarget target, CommandDbmsTemplates templates, CommandRunner runner) {
        return new CommandDbms(target, templates, runner, Duration.ofSeconds(60), Duration.ofSeconds(1),
                Clock.systemUTC(), Sleeper.system());
    }

    /**
     * Read-only: the role and, on a replica with a {@code lag} template, the lag.
     *
     * @throws DbmsException a failed role or lag command (see the class comment);
     *                       {@link DbmsException.Kind#UNEXPECTED_OUTPUT} when the lag pattern does not match
     */
    public CommandDbmsProbe probe() throws DbmsException {
        return probe(false);
    }

    /**
     * Promotes the server unless it already is primary, waits until the role command reports primary, then runs the
     * write check if one is configured.
     *
     * @param timeout how long the server may take to become primary and accept the write check
     * @throws DbmsException {@link DbmsException.Kind#UNEXPECTED_ROLE} when the role is unknown before promoting
     *                       (nothing is run); {@link DbmsException.Kind#PROMOTE_TIMEOUT} when the role is not primary
     *                       by the deadline (quoting the promote command's failure, if any, and the last role output);
     *                       {@link DbmsException.Kind#NOT_WRITABLE} when the write check still fails at the deadline;
     *                       {@link DbmsException.Kind#CLIENT_MISSING} at once when a program cannot be run
     */
    public CommandPromoteResult promote(Duration timeout) throws DbmsException {
        positive("timeout", timeout);
        Instant start = clock.instant();
        CommandDbmsProbe before = probe(true);
        if (before.role() == DbmsRole.PRIMARY) {
            log.info("{} at {} is already primary: nothing to promote", target.instance(), target.endpoint());
            boolean checked = awaitWritable(clock.instant().plus(timeout), timeout);
            return new CommandPromoteResult(target.instance(), PromoteResult.Outcome.ALREADY_PRIMARY, before, before,
                    checked, Duration.between(start, clock.instant()));
        }
        if (before.role() == DbmsRole.UNKNOWN) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, targetName(), target.instance() + " at "
                    + target.endpoint() + " via " + runner.describe() + ": the role command's output '"
                    + before.detail() + "' matches neither the primary pattern '" + templates.primary().pattern()
                    + "' nor the replica pattern '" + templates.replica().pattern() + "': refusing to promote");
        }
        log.info("promoting {} at {} via {} (replica, lag {})", target.instance(), target.endpoint(),
                runner.describe(), before.lag().map(ReplicaLag::toString).orElse("not read"));
        Instant deadline = clock.instant().plus(timeout);
        DbmsException promoteFailure = null;
        try {
            CommandResult r = run("promote", templates.promote(), timeout.plusSeconds(30));
            if (!r.succeeded()) {
                promoteFailure = failed("promote", r);
            }
        } catch (DbmsException e) {
            promoteFailure = e; // e.g. the command timed out: the role decides
        }
        if (promoteFailure != null) {
            if (promoteFailure.kind() == DbmsException.Kind.CLIENT_MISSING) {
                throw promoteFailure;
            }
            log.warn("promote command for {} failed ({}); polling the role until {}", target.instance(),
                    promoteFailure.getMessage(), deadline);
        }
        String lastRole = null;
        while (true) {
            try {
                CommandDbmsProbe p = roleOnly();
                if (p.role() == DbmsRole.PRIMARY) {
                    break;
                }
                lastRole = "'" + p.detail() + "' (" + p.role().name().toLowerCase() + ")";
            } catch (DbmsException e) {
                if (e.kind() == DbmsException.Kind.CLIENT_MISSING) {
                    throw e;
                }
                lastRole = "a failure: " + e.getMessage();
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new DbmsException(DbmsException.Kind.PROMOTE_TIMEOUT, targetName(), target.instance() + " at "
                        + target.endpoint() + ": expected the role command to report primary within "
                        + timeout.toSeconds() + " s of the promote command"
                        + (promoteFailure == null ? "" : ", which failed: " + promoteFailure.getMessage())
                        + "; last role answer " + lastRole, promoteFailure);
            }
            sleep("to become primary");
        }
        PromoteResult.Outcome outcome = PromoteResult.Outcome.PROMOTED;
        if (promoteFailure != null) {
            log.info("promote command for {} failed but the server is primary now", target.instance());
            outcome = PromoteResult.Outcome.ALREADY_PRIMARY;
        }
        boolean checked = awaitWritable(deadline, timeout);
        CommandDbmsProbe after = probe(true);
        return new CommandPromoteResult(target.instance(), outcome, before, after, checked,
                Duration.between(start, clock.instant()));
    }

    /**
     * Runs the write check once.
     *
     * @return true when it exited 0, false when no {@code writeCheck} template is configured (nothing run)
     * @throws DbmsException {@link DbmsException.Kind#NOT_WRITABLE} when it exits non-zero (126/127:
     *                       {@link DbmsException.Kind#CLIENT_MISSING})
     */
    public boolean verifyWritable() throws DbmsException {
        if (templates.writeCheck().isEmpty()) {
            return false;
        }
        CommandResult r = run("writeCheck", templates.writeCheck().get(), commandTimeout);
        if (!r.succeeded()) {
            DbmsException e = failed("writeCheck", r);
            if (e.kind() == DbmsException.Kind.CLIENT_MISSING) {
                throw e;
            }
            throw new DbmsException(DbmsException.Kind.NOT_WRITABLE, targetName(), target.instance() + " at "
                    + target.endpoint() + " refused the write check (expected exit 0 from a writable primary, got "
                    + r.exitCode() + "): " + r.lastLine());
        }
        return true;
    }

    /** The command line a template becomes for this target; package-private for tests of quoting. */
    String render(String template) {
        UnaryOperator<String> quote = runner.os() == CommandRunner.OsFamily.WINDOWS
                ? Shell::quotePowerShell : Shell::quote;
        return CommandDbmsTemplates.render(template, target, quote);
    }

    public String describe() {
        return "command DBMS " + target.instance() + " at " + target.endpoint() + " via " + runner.describe();
    }

    // --- internals -----------------------------------------------------------------------------------------------

    private CommandDbmsProbe probe(boolean lenientLag) throws DbmsException {
        CommandDbmsProbe p = roleOnly();
        if (p.role() != DbmsRole.REPLICA || templates.lag().isEmpty()) {
            return p;
        }
        try {
            return new CommandDbmsProbe(p.instance(), p.role(), Optional.of(lag()), p.detail());
        } catch (DbmsException e) {
            if (!lenientLag || e.kind() == DbmsException.Kind.INTERRUPTED) {
                throw e;
            }
            log.warn("lag of {} not read (promoting anyway): {}", target.instance(), e.getMessage());
            return p;
        }
    }

    private CommandDbmsProbe roleOnly() throws DbmsException {
        CommandResult r = run("role", templates.role(), commandTimeout);
        if (!r.succeeded()) {
            throw failed("role", r);
        }
        String out = r.stdout();
        DbmsRole role = templates.primary().matcher(out).find() ? DbmsRole.PRIMARY
                : templates.replica().matcher(out).find() ? DbmsRole.REPLICA : DbmsRole.UNKNOWN;
        String detail = role == DbmsRole.UNKNOWN ? oneLine(out) : out.strip().lines().findFirst().orElse("");
        return new CommandDbmsProbe(target.instance(), role, Optional.empty(), shorten(detail));
    }

    private ReplicaLag lag() throws DbmsException {
        CommandResult r = run("lag", templates.lag().orElseThrow(), commandTimeout);
        if (!r.succeeded()) {
            throw failed("lag", r);
        }
        Matcher m = templates.lagPattern().orElseThrow().matcher(r.stdout());
        if (!m.find()) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_OUTPUT, targetName(), "the lag command's output '"
                    + shorten(oneLine(r.stdout())) + "' for " + target.instance() + " at " + target.endpoint()
                    + " does not match the lagPattern '" + templates.lagPattern().get().pattern() + "'");
        }
        Optional<String> bytes = group(m, CommandDbmsTemplates.BYTES_GROUP);
        Optional<String> seconds = group(m, CommandDbmsTemplates.SECONDS_GROUP);
        try {
            return new ReplicaLag(bytes.map(b -> new BigDecimal(b).toBigInteger().longValueExact()),
                    seconds.map(CommandDbms::seconds));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_OUTPUT, targetName(), "the lag command's output for "
                    + target.instance() + " gave bytes '" + bytes.orElse("") + "' and seconds '" + seconds.orElse("")
                    + "': expected a whole number of bytes and a decimal number of seconds");
        }
    }

    private boolean awaitWritable(Instant deadline, Duration timeout) throws DbmsException {
        while (true) {
            try {
                return verifyWritable();
            } catch (DbmsException e) {
                if (e.kind() != DbmsException.Kind.NOT_WRITABLE && e.kind() != DbmsException.Kind.HOST_ACCESS) {
                    throw e;
                }
                if (!clock.instant().isBefore(deadline)) {
                    throw new DbmsException(e.kind(), targetName(), e.getMessage() + " (still at the end of the "
                            + timeout.toSeconds() + " s promote timeout)", e);
                }
                log.info("{} does not accept the write check yet: {}", target.instance(), e.getMessage());
            }
            sleep("to accept the write check");
        }
    }

    private CommandResult run(String what, String template, Duration timeout) throws DbmsException {
        String cmd = render(template);
        try {
            return runner.run(cmd, timeout);
        } catch (HostAccessException e) {
            throw new DbmsException(DbmsException.Kind.HOST_ACCESS, targetName(), "cannot run the '" + what
                    + "' command for " + target.instance() + " on " + runner.describe() + " (" + e.kind() + "): "
                    + e.getMessage(), e);
        }
    }

    private DbmsException failed(String what, CommandResult r) {
        String where = target.instance() + " at " + target.endpoint() + " via " + runner.describe();
        if (r.exitCode() == 126 || r.exitCode() == 127) {
            return new DbmsException(DbmsException.Kind.CLIENT_MISSING, targetName(), "the '" + what + "' command for "
                    + where + " cannot be run (exit " + r.exitCode() + ", is the DBMS client installed and on PATH?): "
                    + r.lastLine());
        }
        return new DbmsException(DbmsException.Kind.COMMAND_FAILED, targetName(), "the '" + what + "' command for "
                + where + " failed (expected exit 0, got " + r.exitCode() + "): " + r.lastLine());
    }

    private void sleep(String what) throws DbmsException {
        try {
            sleeper.sleep(pollInterval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbmsException(DbmsException.Kind.INTERRUPTED, targetName(), "waiting for " + target.instance()
                    + " " + what + " interrupted", e);
        }
    }

    private String targetName() {
        return target.instance() + " (" + target.endpoint() + ")";
    }

    private static Optional<String> group(Matcher m, String name) {
        try {
            String g = m.group(name);
            return g == null || g.isBlank() ? Optional.empty() : Optional.of(g.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the pattern has no such group
        }
    }

    private static Duration seconds(String s) {
        java.math.BigInteger micros = new BigDecimal(s).movePointRight(6).toBigInteger();
        return micros.signum() < 0 ? Duration.ZERO : Duration.ofNanos(Math.multiplyExact(micros.longValueExact(), 1000L));
    }

    private static String oneLine(String out) {
        return String.join(" | ", out.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static String shorten(String s) {
        return s.length() > DETAIL_MAX ? s.substring(0, DETAIL_MAX) + "..." : s;
    }

    private static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }
}
