package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.readiness.CheckResult;
import io.drctl.orchestrator.readiness.Readiness;
import io.drctl.orchestrator.readiness.ReadinessResult;
import io.drctl.orchestrator.yaml.InvalidInputException;
import io.drctl.orchestrator.yaml.Location;
import io.drctl.orchestrator.yaml.Problem;
import io.drctl.orchestrator.yaml.Problems;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code drctl readiness}: runs the readiness runbook (read-only checks) as an ordinary journaled run
 * and prints one line per check and the verdict. Exit 0 when every check passed, 3 otherwise.
 */
@Command(name = "readiness", mixinStandardHelpOptions = true,
        description = {"Check, read-only, that the standby region would take over.",
                "Runs the readiness runbook as a journaled run; prints one line per check (ok/FAIL, what was seen) and the verdict.",
                "Exit 0 when every check passed, 3 otherwise (4: another readiness round is in progress).",
                "Rounds journal into <state-dir>/readiness/ under a lock of their own: an operator's `drctl run`",
                "is never refused because of a readiness round (see past rounds: drctl history --state-dir <state-dir>/readiness)."},
        footer = {"", "Examples:",
                "  drctl readiness -i inventory/lab.yaml",
                "  drctl readiness -i inventory/prod.yaml -p active=region2 -p standby=region1 --output json",
                "  drctl readiness -i inventory/prod.yaml runbooks/readiness.yaml -v"})
final class ReadinessCommand implements Callable<Integer> {
    static final String DEFAULT_RUNBOOK = "runbooks/readiness.yaml";

    private final Commands.Ctx ctx;
    @Mixin
    Commands.Shared shared;

    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY", description = "inventory file (default $DRCTL_INVENTORY)")
    Path inventory;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUNBOOK", defaultValue = DEFAULT_RUNBOOK,
            description = "readiness runbook (default: ${DEFAULT-VALUE})")
    Path runbook;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "runbook parameter (repeatable), e.g. standby=region2")
    Map<String, String> params = new LinkedHashMap<>();

    ReadinessCommand(Commands.Ctx ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Path inv;
        ReadinessResult r;
        try {
            inv = inventory(ctx, inventory);
            io.drctl.orchestrator.engine.RunStore store = Readiness.store(shared.stateDir(ctx));
            Progress progress = shared.verbose && !shared.json()
                    ? new RedactingProgress(Commands.printer(ctx, true), store, ctx.rt().env()) : Progress.NONE;
            Runs runs = new Runs(store, ctx.rt().registry().get(), Commands.options(ctx, false, false, progress));
            r = new Readiness(runs, ctx.rt().clock(), ctx.rt().env()).run(inv, runbook, params);
        } catch (InvalidInputException e) {
            return Commands.invalid(ctx, e);
        }
        if (r.error().filter(e -> e.startsWith("refused:")).isPresent()) {
            ctx.err().println("drctl: " + r.error().get());
            return ExitCodes.REFUSED;
        }
        if (shared.json()) {
            ctx.out().println(Commands.JSON.writeValueAsString(r.toMap()));
        } else {
            print(ctx.out(), r);
        }
        return r.ok() ? ExitCodes.OK : ExitCodes.STEP_FAILED;
    }

    /** The inventory from -i or $DRCTL_INVENTORY. */
    static Path inventory(Commands.Ctx ctx, Path option) throws InvalidInputException {
        if (option != null) {
            return option;
        }
        String env = ctx.rt().env().get("DRCTL_INVENTORY");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Problems p = new Problems();
        p.add(Location.synthetic("command line", ""), "no inventory given", "pass -i INVENTORY, or set DRCTL_INVENTORY");
        throw new InvalidInputException(p.list());
    }

    /** One line per check, then the verdict. */
    static void print(PrintStream out, ReadinessResult r) {
        out.println("readiness: " + r.runbook() + " on " + r.inventory() + r.runId().map(id -> ", run " + id).orElse(""));
        int w = Math.max(8, r.checks().stream().mapToInt(c -> c.id().length()).max().orElse(8));
        int tw = Math.max(8, r.checks().stream().mapToInt(c -> c.type().length()).max().orElse(8));
        for (CheckResult c : r.checks()) {
            out.printf("  %-4s  %-" + w + "s  %-" + tw + "s  %s%n", c.ok() ? "ok" : "FAIL", c.id(), c.type(), c.detail());
        }
        out.println(r.verdict() + " (" + io.drctl.orchestrator.yaml.Durations.format(r.duration()) + ")");
    }

    /** A daemon round's one-line log. */
    static String logLine(ReadinessResult r) {
        return r.finished().toString() + " " + r.verdict() + r.runId().map(id -> " [run " + id + "]").orElse("")
                + " in " + io.drctl.orchestrator.yaml.Durations.format(r.duration())
                + (r.failed().isEmpty() ? "" : ": " + r.failed().stream().map(c -> c.id() + ": " + c.detail())
                .collect(Collectors.joining(" | ")));
    }

    /** Problems of invalid input as one line (for a daemon round's error). */
    static String oneLine(InvalidInputException e) {
        return "invalid input: " + e.problems().stream().map(Problem::render).collect(Collectors.joining("; "));
    }
}
