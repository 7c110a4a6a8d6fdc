package io.drctl.vm;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power control through command templates ({@link CommandTemplates}) run by a {@link CommandRunner}: locally
 * ({@link io.drctl.host.LocalCommandRunner}) or on a management host over SSH.
 *
 * <p>{@link #start}/{@link #stop} probe first and run nothing when the VM already is in the desired state. After
 * the power command exits 0, the status command is polled until it reports the desired state, bounded by
 * {@code settleTimeout} (CLIs such as {@code aws ec2 start-instances} return before the VM is up). A VM whose
 * status matches neither pattern is {@link Power#UNKNOWN}; start/stop refuse to act on it
 * ({@link VmException.Kind#UNEXPECTED_STATE}, retriable).
 */
public final class CommandVmProvider implements VmProvider {

    private static final Logger log = LoggerFactory.getLogger(CommandVmProvider.class);

    private final String name;
    private final CommandTemplates templates;
    private final CommandRunner runner;
    private final Duration commandTimeout;
    private final Duration settleTimeout;
    private final Duration pollInterval;
    private final Clock clock;
    private final Sleeper sleeper;

    /**
     * @param name           provider name from the inventory, e.g. {@code lab} or {@code govc}
     * @param templates      start/stop/status command templates and status patterns
     * @param runner         where the commands run
     * @param commandTimeout limit for each command
     * @param settleTimeout  how long to wait, after a power command, for status to report the desired state
     * @param pollInterval   wait between status polls while settling
     * @param clock          measures the settle timeout
     * @param sleeper        waits between polls
     */
    public CommandVmProvider(String name, CommandTemplates templates, CommandRunner runner, Duration commandTimeout,
                             Duration settleTimeout, Duration pollInterval, Clock clock, Sleeper sleeper) {
        this.name = Objects.requireNonNull(name, "name");
        this.templates = Objects.requireNonNull(templates, "templates");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.commandTimeout = positive("commandTimeout", commandTimeout);
        this.settleTimeout = Objects.requireNonNull(settleTimeout, "settleTimeout");
        this.pollInterval = positive("pollInterval", pollInterval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Defaults: 5 min per command, 3 min to settle, status polled every 2 s, system clock. */
    public static CommandVmProvider of(String name, CommandTemplates templates, CommandRunner runner) {
        return new CommandVmProvider(name, templates, runner, Duration.ofMinutes(5), Duration.ofMinutes(3),
                Duration.ofSeconds(2), Clock.systemUTC(), Sleeper.system());
    }

    @Override
    public PowerState status(VmRef vm) throws VmException {
        CommandResult r = run(vm, "status", templates.status());
        if (!r.succeeded()) {
            throw new VmException(VmException.Kind.COMMAND_FAILED, target(vm), "status of VM " + vm + " via "
                    + describe() + ": expected exit 0, got " + r.exitCode() + ": " + r.lastLine());
        }
        String out = r.stdout();
        String first = out.strip().lines().findFirst().orElse("");
        if (templates.running().matcher(out).find()) {
            return new PowerState(Power.RUNNING, first);
        }
        if (templates.stopped().matcher(out).find()) {
            return new PowerState(Power.STOPPED, first);
        }
        return new PowerState(Power.UNKNOWN, first.length() > 200 ? first.substring(0, 200) + "..." : first);
    }

    @Override
    public PowerResult start(VmRef vm) throws VmException {
        return change(vm, Power.RUNNING, "start", templates.start());
    }

    @Override
    public PowerResult stop(VmRef vm) throws VmException {
        return change(vm, Power.STOPPED, "stop", templates.stop());
    }

    @Override
    public String describe() {
        return "command provider " + name + " on " + runner.describe();
    }

    private PowerResult change(VmRef vm, Power desired, String action, String template) throws VmException {
        PowerState before = status(vm);
        if (before.power() == desired) {
            log.info("VM {} already {} ({}): nothing run", vm, before, describe());
            return new PowerResult(vm, desired, PowerResult.Outcome.ALREADY_SATISFIED, before, before);
        }
        if (before.power() == Power.UNKNOWN) {
            throw new VmException(VmException.Kind.UNEXPECTED_STATE, target(vm), "VM " + vm + " via " + describe()
                    + " is in an unknown power state '" + before.detail() + "' (neither the running nor the stopped "
                    + "pattern matched): refusing to " + action);
        }
        log.info("VM {} is {}: running {} ({})", vm, before, action, describe());
        CommandResult r = run(vm, action, template);
        if (!r.succeeded()) {
            throw new VmException(VmException.Kind.COMMAND_FAILED, target(vm), action + " of VM " + vm + " via "
                    + describe() + ": expected exit 0, got " + r.exitCode() + ": " + r.lastLine());
        }
        Instant deadline = clock.instant().plus(settleTimeout);
        PowerState after = status(vm);
        while (after.power() != desired) {
            if (!clock.instant().isBefore(deadline)) {
                throw new VmException(VmException.Kind.UNEXPECTED_STATE, target(vm), "VM " + vm + " via "
                        + describe() + ": expected " + desired + " within " + settleTimeout.toSeconds() + " s after "
                        + action + ", last status " + after);
            }
            try {
                sleeper.sleep(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException(VmException.Kind.INTERRUPTED, target(vm), "waiting for VM " + vm + " to be "
                        + desired + " interrupted", e);
            }
            after = status(vm);
        }
        return new PowerResult(vm, desired, PowerResult.Outcome.CHANGED, before, after);
    }

    private CommandResult run(VmRef vm, String what, String template) throws VmException {
        String command = CommandTemplates.render(template, vm);
        log.debug("{} VM {}: {}", what, vm, command);
        try {
            return runner.run(command, commandTimeout);
        } catch (HostAccessException e) {
            VmException.Kind kind = switch (e.kind()) {
                case COMMAND_TIMEOUT -> VmException.Kind.TIMEOUT;
                case UNREACHABLE, IO -> VmException.Kind.UNREACHABLE;
                case AUTH_FAILED, UNKNOWN_HOST_KEY, CHANGED_HOST_KEY -> VmException.Kind.AUTH_FAILED;
                case LOCAL_SETUP -> VmException.Kind.CONFIG;
            };
            throw new VmException(kind, target(vm), what + " of VM " + vm + " via " + describe() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private String target(VmRef vm) {
        return vm.id() + " via " + name;
    }

    private static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }
}
