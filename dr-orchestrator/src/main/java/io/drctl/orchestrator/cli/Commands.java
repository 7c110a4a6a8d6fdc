package io.drctl.orchestrator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.drctl.orchestrator.engine.EngineOptions;
import io.drctl.orchestrator.engine.FileApprovals;
import io.drctl.orchestrator.engine.Journal;
import io.drctl.orchestrator.engine.JournalEvent;
import io.drctl.orchestrator.engine.LockHeldException;
import io.drctl.orchestrator.engine.Plan;
import io.drctl.orchestrator.engine.PlanProbe;
import io.drctl.orchestrator.engine.Planner;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.Redactor;
import io.drctl.orchestrator.engine.RunPolicy;
import io.drctl.orchestrator.engine.RunServices;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.RunState;
import io.drctl.orchestrator.engine.RunStore;
import io.drctl.orchestrator.engine.Status;
import io.drctl.orchestrator.engine.StepOutcome;
import io.drctl.orchestrator.load.Loaded;
import io.drctl.orchestrator.safety.RuleEvaluator;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.yaml.Durations;
import io.drctl.orchestrator.yaml.InvalidInputException;
import io.drctl.orchestrator.yaml.Problem;
import io.drctl.orchestrator.yaml.Problems;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The drctl subcommands. Each returns an exit code from {@link ExitCodes}. */
final class Commands {
    private Commands() {
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The streams and runtime every command uses. */
    record Ctx(CliRuntime rt, PrintStream out, PrintStream err) {
    }

    /** Options shared by the commands that touch the state directory or print machine output. */
    static final class Shared {
        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "state directory (runs, journals, lock); default $DRCTL_STATE_DIR or ~/.drctl")
        Path stateDir;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json (plan, status, history)")
        String output;

        @Option(names = {"-v", "--verbose"}, description = "print detail lines from actions")
        boolean verbose;

        Path stateDir(Ctx ctx) {
            if (stateDir != null) {
                return stateDir.toAbsolutePath();
            }
            String env = ctx.rt().env().get("DRCTL_STATE_DIR");
            if (env != null && !env.isBlank()) {
                return Path.of(env).toAbsolutePath();
            }
            return Path.of(ctx.rt().env().getOrDefault("HOME", System.getProperty("user.home")), ".drctl");
        }

        boolean json() {
            return "json".equalsIgnoreCase(output);
        }
    }

    /** {@code [INVENTORY] RUNBOOK} or {@code -i INVENTORY RUNBOOK}, plus {@code -p name=value}. */
    static final class Input {
        @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY",
                description = "inventory file (or give it as the first argument; default $DRCTL_INVENTORY)")
        Path inventory;

        @Parameters(arity = "1..2", paramLabel = "FILE", description = "[INVENTORY] RUNBOOK")
        List<Path> files;

        @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "runbook parameter (repeatable)")
        Map<String, String> params = new LinkedHashMap<>();

        Path inventory(Ctx ctx) throws InvalidInputException {
            if (files.size() == 2) {
                return files.get(0);
            }
            if (inventory != null) {
                return inventory;
            }
            String env = ctx.rt().env().get("DRCTL_INVENTORY");
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            Problems p = new Problems();
            p.add(io.drctl.orchestrator.yaml.Location.synthetic("command line", ""), "no inventory given",
                    "pass -i INVENTORY, or INVENTORY RUNBOOK, or set DRCTL_INVENTORY");
            throw new InvalidInputException(p.list());
        }

        Path runbook() {
            return files.get(files.size() - 1);
        }
    }

    /** {@code --override-rule ID --reason TEXT} (run, resume, drill). */
    static final class Overrides {
        @Option(names = "--override-rule", paramLabel = "ID",
                description = "go on although safety rule ID is violated (repeatable; needs --reason; journaled)")
        List<String> rules = new ArrayList<>();

        @Option(names = "--reason", paramLabel = "TEXT",
                description = "why the override is safe: one for all overridden rules, or one per --override-rule in order")
        List<String> reasons = new ArrayList<>();

        /** Rule id to reason; invalid combinations are invalid input (exit 2). */
        Map<String, String> map() throws InvalidInputException {
            Problems p = new Problems();
            io.drctl.orchestrator.yaml.Location at = io.drctl.orchestrator.yaml.Location.synthetic("command line", "--override-rule");
            Map<String, String> out = new LinkedHashMap<>();
            if (rules.isEmpty() && !reasons.isEmpty()) {
                p.add(at, "--reason given without --override-rule", "name the rule: --override-rule ID --reason TEXT");
            } else if (!rules.isEmpty() && reasons.isEmpty()) {
                p.add(at, "--override-rule " + String.join(", ", rules) + " needs --reason",
                        "say why it is safe, e.g. --reason \"region1 DBMS host is powered off (ticket INC-123)\"");
            } else if (reasons.size() != 1 && reasons.size() != rules.size()) {
                p.add(at, rules.size() + " --override-rule but " + reasons.size() + " --reason",
                        "give one --reason for all, or one per --override-rule");
            } else {
                for (int i = 0; i < rules.size(); i++) {
                    String reason = reasons.get(reasons.size() == 1 ? 0 : i);
                    if (reason == null || reason.isBlank()) {
                        p.add(at, "--reason for rule " + rules.get(i) + " is empty", "say why overriding it is safe");
                    }
                    out.put(rules.get(i), reason);
                }
            }
            p.throwIfAny();
            return out;
        }
    }

    /**
     * After a run ended {@link Status#REFUSED}: names each violated rule, what was seen, and how to
     * resume or override.
     */
    static void explainRefusal(Ctx ctx, Runs runs, Path stateDir, String runId) throws IOException {
        Path runDir = runs.store().existing(runId).orElseThrow();
        List<RuleEvaluator.Violation> vs = RuleEvaluator.refusals(Journal.read(runDir.resolve(Journal.FILE)));
        for (RuleEvaluator.Violation v : vs) {
            ctx.err().println("drctl: refused by safety rule `" + v.rule() + "` (" + v.type() + "): " + v.detail());
        }
        ctx.err().println("drctl: no further step was started (steps in flight finished); the run is journaled.");
        ctx.err().println("  fix the cause, then:  " + resumeCommand(stateDir, runId));
        String ids = vs.stream().map(v -> "--override-rule " + v.rule()).collect(java.util.stream.Collectors.joining(" "));
        ctx.err().println("  or, only if you know it is safe (journaled with your name and reason):");
        ctx.err().println("    " + resumeCommand(stateDir, runId) + " " + ids + " --reason \"WHY IT IS SAFE\"");
    }

    static int invalid(Ctx ctx, InvalidInputException e) {
        ctx.err().println("drctl: invalid input, " + e.problems().size() + " problem(s):");
        for (Problem p : e.problems()) {
            ctx.err().println("  " + p.render());
        }
        return ExitCodes.INVALID_INPUT;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check an inventory and runbooks strictly; report every problem with file:line:column.",
            footer = {"", "Examples:", "  drctl validate inventory/example.yaml runbooks/preflight.yaml",
                    "  drctl validate inventory/lab.yaml runbooks/*.yaml"})
    static final class Validate implements Callable<Integer> {
        private final Ctx ctx;

        @Parameters(index = "0", paramLabel = "INVENTORY")
        Path inventory;

        @Parameters(index = "1..*", paramLabel = "RUNBOOK", arity = "0..*")
        List<Path> runbooks = new ArrayList<>();

        Validate(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            Problems problems = Loaded.check(inventory, runbooks, ctx.rt().registry().get());
            if (!problems.isEmpty()) {
                return invalid(ctx, new InvalidInputException(problems.list()));
            }
            ctx.out().println("OK: " + inventory + (runbooks.isEmpty() ? "" : " + " + runbooks.size() + " runbook(s)"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Print the actions a run would take, in execution order, with current vs desired state. Changes nothing.",
            footer = {"", "Examples:", "  drctl plan --offline inventory/example.yaml runbooks/preflight.yaml",
                    "  drctl plan -i inventory/lab.yaml runbooks/preflight.yaml -p region=region2 --output json"})
    static final class PlanCmd implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;
        @Mixin
        Input input;

        @Option(names = "--offline", description = "do not probe targets (no host is contacted)")
        boolean offline;

        PlanCmd(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            StepTypeRegistry registry = ctx.rt().registry().get();
            Loaded loaded;
            try {
                loaded = Loaded.load(input.inventory(ctx), input.runbook(), input.params, registry);
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            }
            Plan plan = Planner.plan(loaded, registry);
            Redactor redactor = Redactor.of(loaded.inventory(), ctx.rt().env());
            Map<String, PlanProbe.Outcome> probes = offline ? Map.of()
                    : PlanProbe.probe(plan, options(ctx, false, false, Progress.NONE), java.time.Duration.ofSeconds(15), redactor);
            if (shared.json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("runbook", loaded.runbook().name());
                m.put("inventory", loaded.inventory().name());
                m.put("params", loaded.params());
                m.put("offline", offline);
                List<Object> steps = new ArrayList<>();
                for (Plan.PlannedStep s : plan.steps()) {
                    Map<String, Object> sm = new LinkedHashMap<>();
                    sm.put("id", s.id());
                    sm.put("type", s.type().name());
                    s.spec().description().ifPresent(d -> sm.put("description", d));
                    sm.put("dependsOn", s.spec().dependsOn());
                    s.spec().timeout().ifPresent(t -> sm.put("timeoutSeconds", t.toSeconds()));
                    sm.put("onFailure", s.spec().onFailure().name().toLowerCase(java.util.Locale.ROOT));
                    List<Object> actions = new ArrayList<>();
                    for (Action a : s.actions()) {
                        Map<String, Object> am = new LinkedHashMap<>();
                        am.put("target", a.target());
                        am.put("description", redactor.redact(a.description()));
                        am.put("revertible", a.revertible());
                        PlanProbe.Outcome o = probes.get(s.id() + "/" + a.target());
                        if (o != null) {
                            o.probe().ifPresent(p -> am.put("probe", Map.of("state", p.state().name(), "current", p.current(),
                                    "desired", p.desired())));
                            o.error().ifPresent(e -> am.put("probeError", e));
                        }
                        actions.add(am);
                    }
                    sm.put("actions", actions);
                    steps.add(sm);
                }
                m.put("steps", steps);
                List<Object> rules = new ArrayList<>();
                for (io.drctl.orchestrator.safety.RuleSpec rule : loaded.rules()) {
                    Map<String, Object> rm = new LinkedHashMap<>();
                    rm.put("id", rule.id());
                    rm.put("type", rule.type());
                    rule.description().ifPresent(d -> rm.put("description", d));
                    rules.add(rm);
                }
                m.put("rules", rules);
                ctx.out().println(JSON.writeValueAsString(m));
                return ExitCodes.OK;
            }
            PrintStream out = ctx.out();
            out.println("Plan: " + loaded.runbook().name() + " on " + loaded.inventory().name()
                    + (loaded.params().isEmpty() ? "" : "  params: " + loaded.params())
                    + (offline ? "  (offline: not probed)" : ""));
            int n = 1;
            for (Plan.PlannedStep s : plan.steps()) {
                out.printf("%2d. %s [%s]%s%s%n", n++, s.id(), s.type().name(),
                        s.spec().dependsOn().isEmpty() ? "" : " after " + String.join(", ", s.spec().dependsOn()),
                        s.spec().timeout().map(t -> " timeout " + Durations.format(t)).orElse(""));
                s.spec().description().ifPresent(d -> out.println("      # " + d));
                for (Action a : s.actions()) {
                    out.println("      " + a.target() + ": " + redactor.redact(a.description()));
                    PlanProbe.Outcome o = probes.get(s.id() + "/" + a.target());
                    if (o != null) {
                        o.probe().ifPresent(p -> out.println("        " + switch (p.state()) {
                            case SATISFIED -> "= already satisfied: " + p.current();
                            case NEEDED -> "~ " + p.current() + "  ->  " + p.desired();
                            case UNKNOWN -> "? " + p.current();
                        }));
                        o.error().ifPresent(e -> out.println("        ! probe failed: " + e));
                    }
                }
            }
            if (!loaded.rules().isEmpty()) {
                out.println("Safety rules (checked before the first step and between steps; a violation stops the run):");
                for (io.drctl.orchestrator.safety.RuleSpec rule : loaded.rules()) {
                    out.println("    " + rule.id() + " [" + rule.type() + "]" + rule.description().map(d -> "  # " + d).orElse(""));
                }
            }
            return ExitCodes.OK;
        }
    }

    static EngineOptions options(Ctx ctx, boolean dryRun, boolean yes, Progress progress) {
        return new EngineOptions(RunPolicy.of(dryRun, yes), new RunServices(ctx.rt().clock(), ctx.rt().env(),
                ctx.rt().hostAccess(), ctx.rt().user(), ctx.rt().host(), progress, yes ? Optional.empty() : ctx.rt().prompt()));
    }

    /** One line per step start and end. */
    static Progress printer(Ctx ctx, boolean verbose) {
        return new Progress() {
            @Override
            public synchronized void runStarted(String runId, String headline) {
                ctx.out().println(headline);
            }

            @Override
            public synchronized void stepStarted(String id, String type, int targets) {
                ctx.out().printf("%s  -> %-24s %-16s %d target(s)%n", HMS.format(ctx.rt().clock().instant()), id, type, targets);
            }

            @Override
            public synchronized void stepFinished(StepOutcome o) {
                ctx.out().printf("%s  <- %-24s %-16s %-10s %d target(s) in %s%s%n", HMS.format(ctx.rt().clock().instant()),
                        o.id(), o.type(), o.status(), o.targets(), Durations.format(o.duration()),
                        o.error().map(e -> "  " + e).orElse(""));
            }

            @Override
            public synchronized void detail(String step, String target, String line) {
                if (verbose) {
                    ctx.out().println("           " + step + " " + target + ": " + line);
                }
            }
        };
    }

    static void summary(Ctx ctx, RunResult r) {
        PrintStream out = ctx.out();
        out.println();
        out.printf("%-24s %-16s %-14s %7s %7s %9s  %s%n", "STEP", "TYPE", "STATUS", "TARGETS", "CHANGED", "DURATION", "ERROR");
        for (StepOutcome o : r.steps()) {
            out.printf("%-24s %-16s %-14s %7d %7d %9s  %s%n", o.id(), o.type(), o.status(), o.targets(), o.changed(),
                    Durations.format(o.duration()), o.error().orElse(""));
        }
        out.println("run " + r.runId() + ": " + r.status() + " in " + Durations.format(r.duration()));
        if (r.status() == Status.COMPLETED_WITH_FAILURES) {
            List<StepOutcome> failed = r.steps().stream()
                    .filter(o -> !o.status().isSuccessful() && o.status() != Status.SKIPPED).toList();
            out.println("completed with " + failed.size() + " best-effort failure(s) (steps marked onFailure: continue):");
            failed.forEach(o -> out.println("  " + o.id() + ": " + o.status() + o.error().map(e -> ": " + e).orElse("")));
        }
    }

    static int exitFor(Status s) {
        return switch (s) {
            case REFUSED -> ExitCodes.REFUSED;
            case COMPLETED_WITH_FAILURES -> ExitCodes.BEST_EFFORT_FAILED;
            default -> s.isSuccessful() ? ExitCodes.OK : ExitCodes.STEP_FAILED;
        };
    }

    /** After a run or resume: how to go on when it did not simply succeed. */
    static void explainEnd(Ctx ctx, Runs runs, Path stateDir, RunResult r) throws IOException {
        if (r.status() == Status.REFUSED) {
            explainRefusal(ctx, runs, stateDir, r.runId());
        } else if (r.status() == Status.COMPLETED_WITH_FAILURES) {
            ctx.err().println("drctl: run completed with best-effort failures; to retry them, fix the cause, then:");
            ctx.err().println("  " + resumeCommand(stateDir, r.runId()));
        } else if (!r.status().isSuccessful()) {
            ctx.err().println("drctl: run failed; fix the cause, then resume with:");
            ctx.err().println("  " + resumeCommand(stateDir, r.runId()));
        }
    }

    static String resumeCommand(Path stateDir, String runId) {
        return "./drctl resume " + runId + " --state-dir " + stateDir;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Execute a runbook: DAG order, journaled, resumable, under an exclusive lock.",
            footer = {"", "Examples:", "  drctl run -i inventory/lab.yaml runbooks/preflight.yaml",
                    "  drctl run inventory/lab.yaml runbooks/preflight.yaml -p region=region2 --yes",
                    "  drctl run --dry-run inventory/lab.yaml runbooks/preflight.yaml",
                    "  drctl run -i inventory/prod.yaml runbooks/full-failover.yaml \\",
                    "      --override-rule one-dbms --reason \"region1 DBMS host powered off, INC-123\"",
                    "",
                    "Safety rules (runbook `rules:`) are checked before the first step and between steps; a",
                    "violation stops the run with exit 4 unless that rule is overridden with a reason."})
    static final class Run implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;
        @Mixin
        Input input;

        @Option(names = "--dry-run", description = "probe only; apply nothing (journaled as a dry run)")
        boolean dryRun;

        @Option(names = {"-y", "--yes"}, description = "pre-approve every approval step (journaled as --yes)")
        boolean yes;

        @Mixin
        Overrides overrides;

        Run(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            Path stateDir = shared.stateDir(ctx);
            RunResult r;
            Runs runs;
            try {
                runs = runs(ctx, stateDir, dryRun, yes, shared.verbose, overrides.map());
                r = runs.run(input.inventory(ctx), input.runbook(), input.params);
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            } catch (LockHeldException e) {
                ctx.err().println("drctl: refused: " + e.getMessage());
                return ExitCodes.REFUSED;
            }
            summary(ctx, r);
            explainEnd(ctx, runs, stateDir, r);
            return exitFor(r.status());
        }
    }

    /** A {@link Runs} for this invocation, printing progress lines; errors redacted by the engine. */
    static Runs runs(Ctx ctx, Path stateDir, boolean dryRun, boolean yes, boolean verbose) {
        return runs(ctx, stateDir, dryRun, yes, verbose, Map.of());
    }

    /** The same, overriding the safety rules in {@code overrides} (rule id to reason). */
    static Runs runs(Ctx ctx, Path stateDir, boolean dryRun, boolean yes, boolean verbose, Map<String, String> overrides) {
        RunStore store = new RunStore(stateDir);
        return new Runs(store, ctx.rt().registry().get(),
                options(ctx, dryRun, yes, new RedactingProgress(printer(ctx, verbose), store, ctx.rt().env()))
                        .withOverrides(overrides));
    }

    /** The secrets of run {@code runDir}'s inventory (its copy), for what status and history print. */
    static Redactor redactor(Ctx ctx, Path runDir) {
        return Redactor.forInventoryFile(runDir.resolve(RunStore.INVENTORY_COPY), ctx.rt().env());
    }

    /** Loads a run's copied inputs with its recorded parameters. */
    static Loaded reload(Path runDir, RunState state, StepTypeRegistry registry) throws InvalidInputException {
        return Loaded.load(runDir.resolve(RunStore.INVENTORY_COPY), runDir.resolve(RunStore.RUNBOOK_COPY), state.params(),
                registry);
    }

    static Optional<Path> findRun(Ctx ctx, RunStore store, String runId) {
        try {
            Optional<Path> d = store.existing(runId);
            if (d.isEmpty()) {
                ctx.err().println("drctl: no run '" + runId + "' in " + store.stateDir() + " (see drctl history)");
            }
            return d;
        } catch (IllegalArgumentException e) {
            ctx.err().println("drctl: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Continue a crashed or failed run: succeeded steps are skipped, the rest re-probed and completed.",
            footer = {"", "Examples:", "  drctl resume 20261122T031500Z-full-failover-7f3a",
                    "  drctl resume 20261122T031500Z-full-failover-7f3a --state-dir /var/lib/drctl --yes"})
    static final class Resume implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;

        @Parameters(index = "0", paramLabel = "RUN")
        String runId;

        @Option(names = {"-y", "--yes"}, description = "pre-approve every approval step")
        boolean yes;

        @Mixin
        Overrides overrides;

        Resume(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            Path stateDir = shared.stateDir(ctx);
            Runs runs;
            try {
                runs = runs(ctx, stateDir, false, yes, shared.verbose, overrides.map());
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            }
            if (findRun(ctx, runs.store(), runId).isEmpty()) {
                return ExitCodes.INVALID_INPUT;
            }
            Optional<RunResult> r;
            try {
                r = runs.resume(runId);
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            } catch (LockHeldException e) {
                ctx.err().println("drctl: refused: " + e.getMessage());
                return ExitCodes.REFUSED;
            }
            if (r.isEmpty()) {
                ctx.out().println("run " + runId + " already succeeded; nothing to resume");
                return ExitCodes.OK;
            }
            summary(ctx, r.get());
            explainEnd(ctx, runs, stateDir, r.get());
            return exitFor(r.get().status());
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve (or reject) an approval step of a waiting run, from any shell.",
            footer = {"", "Examples:", "  drctl approve 20261122T031500Z-full-failover-7f3a go",
                    "  drctl approve 20261122T031500Z-full-failover-7f3a go --reject"})
    static final class Approve implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;

        @Parameters(index = "0", paramLabel = "RUN")
        String runId;

        @Parameters(index = "1", paramLabel = "STEP")
        String step;

        @Option(names = "--reject", description = "reject instead of approve (the step fails)")
        boolean reject;

        Approve(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            RunStore store = new RunStore(shared.stateDir(ctx));
            Optional<Path> runDir = findRun(ctx, store, runId);
            if (runDir.isEmpty()) {
                return ExitCodes.INVALID_INPUT;
            }
            RunState state = RunState.replay(Journal.read(runDir.get().resolve(Journal.FILE)));
            Loaded loaded;
            try {
                loaded = reload(runDir.get(), state, ctx.rt().registry().get());
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            }
            boolean isApproval = loaded.steps().stream().anyMatch(s -> s.id().equals(step) && s.type().equals("approval"));
            if (!isApproval) {
                ctx.err().println("drctl: run " + runId + " has no approval step '" + step + "'");
                return ExitCodes.INVALID_INPUT;
            }
            String who = ctx.rt().user() + "@" + ctx.rt().host();
            FileApprovals.record(runDir.get(), step, who, "approve-command", !reject, ctx.rt().clock().instant());
            ctx.out().println((reject ? "rejected " : "approved ") + runId + " " + step + " as " + who);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Revert the completed (changed) actions of a run, in reverse order of completion.",
            footer = {"", "Examples:", "  drctl rollback 20261122T031500Z-full-failover-7f3a",
                    "  drctl rollback 20261122T031500Z-full-failover-7f3a --dry-run"})
    static final class Rollback implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;

        @Parameters(index = "0", paramLabel = "RUN")
        String runId;

        @Option(names = "--dry-run", description = "list what would be reverted; revert nothing")
        boolean dryRun;

        Rollback(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            Path stateDir = shared.stateDir(ctx);
            Runs runs = runs(ctx, stateDir, dryRun, false, shared.verbose);
            if (findRun(ctx, runs.store(), runId).isEmpty()) {
                return ExitCodes.INVALID_INPUT;
            }
            RunResult r;
            try {
                r = runs.rollback(runId);
            } catch (InvalidInputException e) {
                return invalid(ctx, e);
            } catch (LockHeldException e) {
                ctx.err().println("drctl: refused: " + e.getMessage());
                return ExitCodes.REFUSED;
            }
            summary(ctx, r);
            if (r.status() == Status.FAILED) {
                ctx.err().println("drctl: rollback failed; fix the cause and run it again:");
                ctx.err().println("  ./drctl rollback " + runId + " --state-dir " + stateDir);
                return ExitCodes.STEP_FAILED;
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a run's status per step (default: the latest run).",
            footer = {"", "Examples:", "  drctl status", "  drctl status 20261122T031500Z-full-failover-7f3a --output json"})
    static final class StatusCmd implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;

        @Parameters(index = "0", paramLabel = "RUN", arity = "0..1")
        String runId;

        StatusCmd(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            RunStore store = new RunStore(shared.stateDir(ctx));
            String id = runId;
            List<JournalEvent> events = null;
            if (id == null) {
                for (String candidate : store.runIds()) {
                    Optional<List<JournalEvent>> read = readOrWarn(ctx, store.runDir(candidate).resolve(Journal.FILE));
                    if (read.isPresent()) {
                        id = candidate;
                        events = read.get();
                        break;
                    }
                }
                if (id == null) {
                    ctx.err().println("drctl: no readable runs in " + store.stateDir());
                    return ExitCodes.INVALID_INPUT;
                }
            }
            Optional<Path> runDir = findRun(ctx, store, id);
            if (runDir.isEmpty()) {
                return ExitCodes.INVALID_INPUT;
            }
            if (events == null) {
                Optional<List<JournalEvent>> read = readOrWarn(ctx, runDir.get().resolve(Journal.FILE));
                if (read.isEmpty()) {
                    return ExitCodes.INVALID_INPUT;
                }
                events = read.get();
            }
            RunState state = RunState.replay(events);
            Map<String, Object> m = describe(id, state);
            // journals are redacted when written; this also covers runs journaled before a secret was known
            Redactor redactor = redactor(ctx, runDir.get());
            if (shared.json()) {
                ctx.out().println(redactor.redact(JSON.writeValueAsString(redactor.redactDeep(m))));
            } else {
                StringBuilder text = new StringBuilder();
                text.append("run " + id + ": " + m.get("status") + "  runbook " + m.get("runbook") + "  started "
                        + m.get("started") + " by " + m.get("user")).append(System.lineSeparator());
                for (Map.Entry<String, Status> e : state.steps().entrySet()) {
                    text.append(String.format("  %-24s %s%n", e.getKey(), e.getValue()));
                }
                text.append("  journal: " + runDir.get().resolve(Journal.FILE) + " (" + events.size() + " events)");
                ctx.out().println(redactor.redact(text.toString()));
            }
            return ExitCodes.OK;
        }
    }

    /** A run's journal, or a warning on stderr naming the file and why it cannot be read (the other runs stay listed). */
    static Optional<List<JournalEvent>> readOrWarn(Ctx ctx, Path journal) {
        try {
            return Optional.of(Journal.read(journal));
        } catch (IOException | RuntimeException e) {
            ctx.err().println("drctl: warning: skipping a run whose journal cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }

    static Map<String, Object> describe(String id, RunState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", id);
        m.put("runbook", state.runbookName().orElse("?"));
        m.put("status", state.runStatus().name());
        m.put("started", state.events().isEmpty() ? null : state.events().get(0).at().toString());
        m.put("updated", state.events().isEmpty() ? null : state.events().get(state.events().size() - 1).at().toString());
        m.put("user", state.start().get("user"));
        m.put("dryRun", state.start().get("dryRun"));
        m.put("params", state.params());
        state.events().stream().filter(e -> e.event().equals("run.finished")).reduce((a, b) -> b)
                .map(e -> e.data().get("bestEffortFailures")).ifPresent(f -> m.put("bestEffortFailures", f));
        Map<String, String> steps = new LinkedHashMap<>();
        state.steps().forEach((k, v) -> steps.put(k, v.name()));
        m.put("steps", steps);
        return m;
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "List runs in the state directory, newest first.",
            footer = {"", "Examples:", "  drctl history", "  drctl history --limit 5 --output json"})
    static final class History implements Callable<Integer> {
        private final Ctx ctx;
        @Mixin
        Shared shared;

        @Option(names = "--limit", defaultValue = "20", description = "at most this many runs (default 20)")
        int limit;

        History(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            RunStore store = new RunStore(shared.stateDir(ctx));
            List<Map<String, Object>> runs = new ArrayList<>();
            for (String id : store.runIds().stream().limit(limit).toList()) {
                Optional<List<JournalEvent>> events = readOrWarn(ctx, store.runDir(id).resolve(Journal.FILE));
                if (events.isEmpty()) {
                    continue;
                }
                Map<String, Object> m = describe(id, RunState.replay(events.get()));
                m.remove("steps");
                @SuppressWarnings("unchecked")
                Map<String, Object> redacted = (Map<String, Object>) redactor(ctx, store.runDir(id)).redactDeep(m);
                runs.add(redacted);
            }
            if (shared.json()) {
                ctx.out().println(JSON.writeValueAsString(runs));
            } else if (runs.isEmpty()) {
                ctx.out().println("no runs in " + store.stateDir());
            } else {
                ctx.out().printf("%-48s %-20s %-12s %s%n", "RUN", "RUNBOOK", "STATUS", "STARTED");
                for (Map<String, Object> m : runs) {
                    ctx.out().printf("%-48s %-20s %-12s %s%n", m.get("runId"), m.get("runbook"), m.get("status"), m.get("started"));
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "schema", mixinStandardHelpOptions = true,
            description = "Print the JSON Schema of inventories or runbooks (for editors); the runbook schema covers every registered step type.",
            footer = {"", "Examples:", "  drctl schema runbook > runbooks/runbook.schema.json", "  drctl schema inventory"})
    static final class Schema implements Callable<Integer> {
        private final Ctx ctx;

        @Parameters(index = "0", paramLabel = "KIND", description = "inventory or runbook")
        String kind;

        Schema(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            switch (kind) {
                case "runbook" -> ctx.out().print(io.drctl.orchestrator.schema.RunbookSchema.generate(ctx.rt().registry().get()));
                case "inventory" -> ctx.out().print(io.drctl.orchestrator.schema.InventorySchema.generate());
                default -> {
                    ctx.err().println("drctl: schema KIND must be inventory or runbook, got '" + kind + "'");
                    return ExitCodes.INVALID_INPUT;
                }
            }
            return ExitCodes.OK;
        }
    }
}
