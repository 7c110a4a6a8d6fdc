package io.drctl.orchestrator.steps.core;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepFields;
import io.drctl.orchestrator.spi.Verified;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The fields and verbs shared by {@code exec} and {@code ssh}: a command, an optional read-only
 * {@code unless} check that makes it idempotent, the expected exit code, and an optional {@code revert} command.
 * {@code ${params}} reach these commands POSIX single-quoted (see {@link FieldKind#COMMAND}). In a dry run (and a
 * plan) {@code unless} runs only when the runbook declares it read-only ({@code unlessReadOnly: true}).
 */
record CommandSpec(String command, Optional<String> unless, boolean unlessReadOnly, int expectExit,
                   Optional<String> revert, Duration commandTimeout) {

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    static List<FieldSpec> fields() {
        return List.of(
                FieldSpec.required("command", FieldKind.COMMAND, "shell command line to run; ${params} are pasted single-quoted"),
                FieldSpec.optional("unless", FieldKind.COMMAND,
                        "check command: exit 0 means the desired state already holds, so `command` is skipped;"
                                + " after `command` it must exit 0 (verification)"),
                FieldSpec.optional("unlessReadOnly", FieldKind.BOOLEAN,
                        "true declares that `unless` changes nothing, so dry runs and plans may run it (default false: skipped there)"),
                FieldSpec.optional("expectExit", FieldKind.INTEGER, "exit code that means success (default 0)").between(0, 255),
                FieldSpec.optional("revert", FieldKind.COMMAND, "command that undoes `command` (used by drctl rollback)"),
                FieldSpec.optional("commandTimeout", FieldKind.DURATION,
                        "kill the command after this long (default: the step timeout, else 10m)"));
    }

    static CommandSpec of(StepFields f) {
        return new CommandSpec(f.string("command"), f.optString("unless"), f.bool("unlessReadOnly", false),
                f.integer("expectExit").orElse(0), f.optString("revert"), f.duration("commandTimeout").orElse(DEFAULT_TIMEOUT));
    }

    /** Cross-field checks: {@code unlessReadOnly} without {@code unless} means nothing. */
    static void validate(StepFields f, io.drctl.orchestrator.spi.StepValidation v) {
        if (f.has("unlessReadOnly") && !f.has("unless")) {
            v.problem("unlessReadOnly", "`unlessReadOnly` without `unless` declares nothing", "add `unless:` or remove it");
        }
    }

    /** The command as plans show it: {@code `cmd` unless `check`}. */
    String shown() {
        return "`" + command + "`" + unless.map(u -> " unless `" + u + "`").orElse("");
    }

    Probe probe(CommandRunner runner, ActionContext ctx) throws HostAccessException, CancelledException {
        if (unless.isEmpty()) {
            return Probe.unknown("no `unless` check");
        }
        if (ctx.dryRun() && !unlessReadOnly) {
            return Probe.unknown("`unless` not run in a dry run: it is not declared read-only (unlessReadOnly: true)");
        }
        CommandResult r = runner.run(unless.get(), ctx.cancellation().remaining(commandTimeout));
        ctx.cancellation().check();
        return r.succeeded() ? Probe.satisfied("`unless` check exits 0", "`unless` check exits 0")
                : Probe.needed("`unless` check exits " + r.exitCode(), "`unless` check exits 0");
    }

    Applied apply(CommandRunner runner, ActionContext ctx) throws HostAccessException, StepFailure, CancelledException {
        Duration limit = ctx.cancellation().remaining(commandTimeout);
        if (limit.isZero()) {
            ctx.cancellation().check();
        }
        CommandResult r = runner.run(command, limit);
        ctx.cancellation().check();
        String output = tail(r.stdout() + (r.stderr().isEmpty() ? "" : "\n[stderr]\n" + r.stderr()));
        if (r.exitCode() != expectExit) {
            throw new StepFailure(runner.describe() + ": expected exit " + expectExit + ", got " + r.exitCode()
                    + (r.lastLine().isEmpty() ? "" : ": " + r.lastLine()), true); // retried only if the step asks for it
        }
        return new Applied("exit " + r.exitCode() + " in " + r.elapsed().toMillis() + "ms", output);
    }

    Verified verify(CommandRunner runner, ActionContext ctx) throws HostAccessException, CancelledException {
        if (unless.isEmpty()) {
            return Verified.byApply();
        }
        CommandResult r = runner.run(unless.get(), ctx.cancellation().remaining(commandTimeout));
        return r.succeeded() ? Verified.ok("`unless` check exits 0")
                : Verified.failed(runner.describe() + ": after the command, expected the `unless` check to exit 0, got "
                        + r.exitCode());
    }

    Reverted revert(CommandRunner runner, ActionContext ctx) throws HostAccessException, StepFailure {
        if (revert.isEmpty()) {
            return Reverted.notRevertible("no `revert` command");
        }
        CommandResult r = runner.run(revert.get(), ctx.cancellation().remaining(commandTimeout));
        if (!r.succeeded()) {
            throw new StepFailure(runner.describe() + ": revert command exited " + r.exitCode() + ": " + r.lastLine(), false);
        }
        return Reverted.done("revert command exit 0");
    }

    static String tail(String s) {
        return s.length() <= 4000 ? s : "…" + s.substring(s.length() - 4000);
    }
}
