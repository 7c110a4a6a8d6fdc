package io.drctl.orchestrator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drctl.orchestrator.cli.render.Explain;
import io.drctl.orchestrator.cli.render.RunSummary;
import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.readiness.ReadinessResult;
import io.drctl.orchestrator.forecast.Forecast;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.report.DrillOutcome;
import io.drctl.orchestrator.report.DrillReport;
import io.drctl.orchestrator.report.ForecastFigure;
import io.drctl.orchestrator.spi.LostTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drctl drill}: fail over, verify, fail back, and write a timed report (JSON, Markdown, HTML)
 * with the measured RTO against the inventory's objective. Both runs are ordinary journaled runs:
 * a drill stopped by a failure is continued with {@code drctl resume RUN} and the report of a
 * finished pair can be rewritten with the same command. {@code --assume-lost} injects faults into the
 * failover only; a failover that fails part-way is rolled back or failed back ({@link DrillRecovery})
 * unless {@code --keep}, then verified.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Fail over, verify, fail back, and write a timed report for auditors (JSON, Markdown, HTML).",
                "The measured RTO is the failover run's wall time: from its first step to the last verified one."},
        footer = {"", "Examples:",
                "  drctl drill -i inventory/lab.yaml --yes \\",
                "      -p reseedCommand=\"$PWD/lab/db-reseed\" -p reseedCheck=\"$PWD/lab/db-reseed --check\"",
                "  drctl drill -i inventory/prod.yaml --from region1 --to region2 --failover runbooks/full-failover.yaml",
                "  drctl drill -i inventory/lab.yaml --yes --mode forced \\",
                "      --assume-lost region1/dbms -p reseedCommand=\"$PWD/lab/db-reseed\" \\",
                "      -p reseedCheck=\"$PWD/lab/db-reseed --check\"",
                "",
                "Fault injection: --assume-lost TARGET (repeatable) makes the failover treat TARGET as powered off and",
                "unreachable without touching it (no SSH, DNS, TCP probe or VM provider call); it needs --mode forced.",
                "Readiness before, the failback and the final verification run with the targets back.",
                "",
                "Guaranteed failback: when the failover fails part-way, the drill rolls it back (every change it made",
                "can be reverted) or runs the failback runbook (a change cannot be, e.g. a promotion), unless --keep,",
                "then runs the readiness checks. The report lists the runs and the final state; the exit code is the",
                "failover's (3 step failed, 4 refused, 5 best-effort failures).",
                "",
                "Reports: <state-dir>/drills/<drill-id>/report.{json,md,html}"})
final class DrillCommand extends StateCommand {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY", required = true, description = "inventory file")
    Path inventory;

    @Option(names = "--failover", paramLabel = "RUNBOOK", defaultValue = "runbooks/full-failover.yaml",
            description = "failover runbook (default: ${DEFAULT-VALUE})")
    Path failover;

    @Option(names = "--failback", paramLabel = "RUNBOOK", defaultValue = "runbooks/failback.yaml",
            description = "failback runbook (default: ${DEFAULT-VALUE})")
    Path failback;

    @Option(names = "--from", defaultValue = "@primary",
            description = "region serving now (default: ${DEFAULT-VALUE}, the inventory's region with `role: primary`, else its first)")
    String from;

    @Option(names = "--to", defaultValue = "@dr",
            description = "region to fail over to (default: ${DEFAULT-VALUE}, the inventory's region with `role: dr`, else the other)")
    String to;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
            description = "runbook parameter, given to each runbook that declares it (repeatable)")
    Map<String, String> params = new LinkedHashMap<>();

    @Mixin
    YesOption yes;

    @Option(names = "--no-failback", description = "stop after the failover and its verification (report still written)")
    boolean noFailback;

    @Option(names = "--readiness", paramLabel = "RUNBOOK", defaultValue = "runbooks/readiness.yaml",
            description = "readiness checks run before the failover (the drill starts only when DR is ready) "
                    + "and after the failback (the normal state is back) (default: ${DEFAULT-VALUE})")
    Path readiness;

    @Option(names = "--no-readiness", description = "skip the readiness checks before and after")
    boolean noReadiness;

    @Mixin
    OverrideOptions overrides;


    @Option(names = "--mode", paramLabel = "MODE",
            description = "mode of the failover run: planned (default) or forced (a region is gone: steps with `whenForced:`"
                    + " become best-effort); the failback is always planned")
    String mode;

    @Mixin
    AssumeLostOption assumeLost;

    @Option(names = "--keep", description = "when the failover fails part-way, leave what it changed as it is (no automatic"
            + " failback or rollback), e.g. to inspect it; the drill says how to resume or roll back")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        Path stateDir = shared.stateDir(ctx);
        // "@primary" / "@dr" name the inventory's regions: from here on the drill speaks of them by name
        Optional<Inventory> inv = InventoryLoader.load(inventory, new Problems()); // its problems are reported by the loads below
        from = regionByRole(from, inv);
        to = regionByRole(to, inv);
        LostTargets lost = assumeLost.lost(inventory, mode); // every value checked before anything runs
        Map<String, String> overParams = paramsFor(failover, Map.of("from", from, "to", to));
        if (mode != null) {
            overParams.put(Params.MODE, mode);
        }
        Map<String, String> backParams = paramsFor(failback, Map.of("from", to, "to", from));
        // validate both before touching anything: a drill must not fail over and then find failback invalid
        Loaded over = Loaded.load(inventory, failover, overParams, ctx.rt().registry().get());
        Loaded back = Loaded.load(inventory, failback, backParams, ctx.rt().registry().get());
        if (!noReadiness) {
            Loaded.load(inventory, readiness, readinessParams(), ctx.rt().registry().get());
        }
        Optional<Duration> objective = over.inventory().rto();
        String inventoryName = over.inventory().name();
        // an overridden rule must exist in at least one runbook; each run gets the overrides of its own rules
        Map<String, String> all = overrides.map();
        Map<String, String> overOverrides = only(all, over);
        Map<String, String> backOverrides = only(all, back);
        Map<String, String> unknown = new LinkedHashMap<>(all);
        unknown.keySet().removeAll(overOverrides.keySet());
        unknown.keySet().removeAll(backOverrides.keySet());
        Runs.checkOverrides(over, unknown);
        Runs runs = runs(false, yes.yes, overOverrides, LostTargets.NONE);
        // the fault is injected into the failover only: readiness before it sees the intact system, and the
        // failback and the final verification run once the lost targets are back
        Runs overRuns = runs(false, yes.yes, overOverrides, lost);
        Runs backRuns = runs(false, yes.yes, backOverrides, LostTargets.NONE);

        // what earlier runs predict for this failover, taken before it runs (the report sets it against the measured RTO)
        Forecast f = Forecast.of(Planner.plan(over, ctx.rt().registry().get()), runs.store().runsDir());
        Optional<ForecastFigure> forecast = f.runsRead() == 0 ? Optional.empty() : Optional.of(new ForecastFigure(f.median(), f.p90(), f.runsRead()));
        String drillId = ID.format(ctx.rt().clock().instant()) + "-drill";
        ctx.out().println("drill " + drillId + ": failover " + from + " -> " + to + (noFailback ? "" : ", then failback")
                + "; objective " + objective.map(DrillCommand::minutesSeconds).orElse("(none set)")
                + (lost.isEmpty() ? "" : "; assumed lost during the failover: " + String.join(", ", lost.faults())));
        List<DrillReport.Phase> phases = new ArrayList<>();
        DrillRuns story = new DrillRuns();
        if (!noReadiness && !readinessPhase(runs, "readiness-before", phases)) {
            ctx.err().println("drctl: the DR region is not ready (see the failed checks above); the drill does not start");
            return finish(stateDir, drillId, inventoryName, objective, phases, forecast, ExitCodes.STEP_FAILED, story);
        }
        RunResult r1 = overRuns.run(inventory, failover, overParams);
        story.failoverRun = r1.runId();
        RunEnd.summary(ctx, overRuns, r1);
        DrillReport.Phase over1 = phase("failover", r1.runId(), overRuns);
        boolean faultsExplain = r1.status() == Status.COMPLETED_WITH_FAILURES && !lost.isEmpty()
                && DrillRecovery.bestEffortOnlyFromFaults(runs, r1.runId());
        if (faultsExplain) {
            // forced mode lost only what was assumed lost: the failover did what the runbook promises for that loss
            over1 = over1.withStatus(Status.SUCCEEDED.name());
            story.add("failover (" + r1.runId() + "): COMPLETED_WITH_FAILURES; every best-effort failure is on a step that"
                    + " skipped an assumed-lost target: passed");
        } else {
            story.add("failover (" + r1.runId() + "): " + r1.status() + DrillRecovery.where(r1));
        }
        phases.add(over1);
        int exit = ExitCodes.OK;
        if (!r1.status().isSuccessful() && !faultsExplain) {
            exit = ExitCodes.of(r1.status());
            if (r1.status() == Status.COMPLETED_WITH_FAILURES) {
                Explain.drillPhase(ctx.err(), "failover", r1, true, stateDir, RunEnd.refusals(overRuns, r1));
                story.state = "failed over to " + to + " with best-effort failures; resume the failover (drctl resume "
                        + r1.runId() + ") or fail back";
            } else {
                exit = recover(stateDir, r1, runs, overRuns, backRuns, backParams, phases, story, exit);
            }
        } else if (!noFailback) {
            if (faultsExplain) {
                Map<String, String> overridden = new LinkedHashMap<>();
                over.rules().forEach(r -> overridden.put(r.id(), DrillRecovery.reason(lost.faults())));
                overridden.putAll(overOverrides);
                story.add(DrillRecovery.completeAfterFaults(ctx, runs(false, yes.yes, overridden, LostTargets.NONE),
                        r1, lost.faults()));
            }
            RunResult r2 = failback(backRuns, backParams, phases);
            story.add("failback (" + r2.runId() + "): " + r2.status() + DrillRecovery.where(r2));
            if (!r2.status().isSuccessful()) {
                exit = ExitCodes.of(r2.status());
                story.state = "NOT normal: the failback failed" + DrillRecovery.where(r2) + "; fix the cause, then: drctl resume "
                        + r2.runId() + " --state-dir " + stateDir;
            } else {
                exit = verifyAfter(runs, phases, story, exit);
            }
        } else {
            story.state = "failed over to " + to + " (--no-failback)";
        }
        return finish(stateDir, drillId, inventoryName, objective, phases, forecast, exit, story);
    }

    /**
     * The failover failed part-way: unless {@code --keep}, fail back or roll back ({@link DrillRecovery}), then
     * verify. Returns the drill's exit code: the failover's failure, whatever the recovery did.
     */
    private int recover(Path stateDir, RunResult r1, Runs runs, Runs overRuns, Runs backRuns, Map<String, String> backParams,
                        List<DrillReport.Phase> phases, DrillRuns story, int exit) throws Exception {
        DrillRecovery.Decision d = DrillRecovery.decide(overRuns, r1.runId(), ctx.rt().registry().get());
        if (d.kind() == DrillRecovery.Kind.NOTHING) {
            Explain.drillPhase(ctx.err(), "failover", r1, true, stateDir, RunEnd.refusals(overRuns, r1));
            story.state = "unchanged: " + d.why();
            return exit;
        }
        if (keep) {
            ctx.err().println("drctl: failover failed part-way" + DrillRecovery.where(r1) + "; --keep: its changes stay as"
                    + " they are (" + d.why() + "). Complete it: drctl resume " + r1.runId() + " --state-dir " + stateDir
                    + "; or undo it: drctl rollback " + r1.runId() + " --state-dir " + stateDir + ", or run the failback runbook");
            story.state = "NOT normal: part-way failed over, kept (--keep); " + d.why();
            return exit;
        }
        ctx.err().println("drctl: failover failed part-way" + DrillRecovery.where(r1) + "; " + d.why() + ": "
                + (d.kind() == DrillRecovery.Kind.FAILBACK ? "running the failback" : "rolling the failover back"));
        boolean ok;
        if (d.kind() == DrillRecovery.Kind.FAILBACK) {
            RunResult r2 = failback(backRuns, backParams, phases);
            story.add("failback (" + r2.runId() + ", because " + d.why() + "): " + r2.status() + DrillRecovery.where(r2));
            ok = r2.status().isSuccessful();
            if (!ok) {
                story.state = "NOT normal: the failover failed" + DrillRecovery.where(r1) + " and the failback failed"
                        + DrillRecovery.where(r2) + "; fix the cause, then: drctl resume " + r2.runId() + " --state-dir " + stateDir;
            }
        } else {
            RunResult rb = overRuns.rollback(r1.runId());
            RunSummary.print(ctx.out(), rb);
            phases.add(phase("rollback", r1.runId(), overRuns).withStatus(rb.status().name()));
            story.add("rollback of " + r1.runId() + " (because " + d.why() + "): " + rb.status() + DrillRecovery.where(rb));
            ok = rb.status() == Status.REVERTED;
            if (!ok) {
                Explain.rollbackFailed(ctx.err(), stateDir, r1.runId());
                story.state = "NOT normal: the failover failed" + DrillRecovery.where(r1) + " and its rollback ended "
                        + rb.status() + DrillRecovery.where(rb) + "; fix the cause, then: drctl rollback " + r1.runId()
                        + " --state-dir " + stateDir + " (or drctl resume " + r1.runId() + " to complete the failover)";
            }
        }
        return ok ? verifyAfter(runs, phases, story, exit) : exit;
    }

    /** Runs the failback runbook and prints its summary (and, when it failed, how to go on); adds its phase. */
    private RunResult failback(Runs backRuns, Map<String, String> backParams, List<DrillReport.Phase> phases) throws Exception {
        RunResult r2 = backRuns.run(inventory, failback, backParams);
        RunEnd.summary(ctx, backRuns, r2);
        phases.add(phase("failback", r2.runId(), backRuns));
        if (!r2.status().isSuccessful()) {
            Explain.drillPhase(ctx.err(), "failback", r2, false, backRuns.store().stateDir(), RunEnd.refusals(backRuns, r2));
        }
        return r2;
    }

    /** The report's phase {@code name}: run {@code runId} of {@code runs}' store, read back from its journal. */
    private DrillReport.Phase phase(String name, String runId, Runs runs) throws IOException {
        return DrillReport.phase(name, runId, runs.store().existing(runId).orElseThrow(), ctx.rt().env());
    }

    /** The final verification: the readiness checks (unless {@code --no-readiness}); sets the final state. */
    private int verifyAfter(Runs runs, List<DrillReport.Phase> phases, DrillRuns story, int exit) throws Exception {
        if (noReadiness) {
            story.state = from + " serves again (not verified: --no-readiness)";
            return exit;
        }
        boolean ok = readinessPhase(runs, "readiness-after", phases);
        story.add("final verification (readiness-after): " + (ok ? "PASSED" : "FAILED"));
        story.state = ok ? "verified: " + from + " serves again and the readiness checks pass"
                : "NOT verified: after the recovery the readiness checks fail (listed above)";
        if (!ok) {
            ctx.err().println("drctl: after the failback the readiness checks fail: the normal state is not fully back");
        }
        return ok || exit != ExitCodes.OK ? exit : ExitCodes.STEP_FAILED;
    }

    private int finish(Path stateDir, String drillId, String inventoryName, Optional<Duration> objective,
                       List<DrillReport.Phase> phases, Optional<ForecastFigure> forecast, int exitSoFar, DrillRuns story)
            throws IOException {
        int exit = exitSoFar;
        RunStore store = new RunStore(stateDir);
        DrillOutcome outcome = story.failoverRun == null ? new DrillOutcome(List.of(), List.of(), story.lines, story.state)
                : DrillOutcome.faultsOf(store.existing(story.failoverRun).orElseThrow(), ctx.rt().env(), story.lines, story.state);
        DrillReport report = DrillReport.of(drillId, inventoryName, from, to, objective, phases, forecast, outcome);
        Path dir = stateDir.resolve("drills").resolve(drillId);
        Path html = report.write(dir);
        ctx.out().println();
        ctx.out().println("drill " + drillId + ": " + report.verdict());
        story.lines.forEach(l -> ctx.out().println("  " + l));
        if (!story.state.isEmpty()) {
            ctx.out().println("final state: " + story.state);
        }
        ctx.out().println("report: " + html + " (also report.md, report.json)");
        if (exit == ExitCodes.OK && !report.passed()) {
            exit = ExitCodes.STEP_FAILED; // every step succeeded but the RTO missed its objective
        }
        return exit;
    }

    private Map<String, String> readinessParams() throws IOException {
        return paramsFor(readiness, Map.of("active", from, "standby", to));
    }

    /** Runs the readiness checks as a phase of the drill; true when every check passed. */
    private boolean readinessPhase(Runs runs, String name, List<DrillReport.Phase> phases) throws Exception {
        ReadinessResult r = ctx.readiness(runs).run(inventory, readiness, readinessParams());
        ctx.out().println(name + ": " + r.verdict());
        r.failed().forEach(c -> ctx.out().println("  FAIL " + c));
        if (r.runId().isPresent()) {
            phases.add(phase(name, r.runId().get(), runs).withStatus(r.ok() ? "SUCCEEDED" : "FAILED"));
        }
        return r.ok();
    }

    /** The drill's params restricted to what {@code runbook} declares, plus the direction. */
    private Map<String, String> paramsFor(Path runbook, Map<String, String> direction) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> declared = declaredParams(runbook);
        direction.forEach((k, v) -> {
            if (declared.contains(k)) {
                out.put(k, v);
            }
        });
        params.forEach((k, v) -> {
            if (declared.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Set<String> declaredParams(Path runbook) throws IOException {
        if (!Files.isRegularFile(runbook)) {
            return Set.of(); // the loader reports the missing file with a clear message
        }
        var node = new ObjectMapper(new YAMLFactory()).readTree(runbook.toFile());
        Set<String> names = new LinkedHashSet<>();
        if (node != null && node.get("params") != null) {
            node.get("params").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /** {@code @primary} / {@code @dr} as the inventory's region of that role; anything else as given. */
    private static String regionByRole(String value, Optional<Inventory> inv) {
        if (!value.startsWith(Params.REGION_ROLE) || inv.isEmpty()) {
            return value;
        }
        return inv.get().regionOf(value.substring(Params.REGION_ROLE.length())).orElse(value);
    }

    /** The overrides naming rules of {@code loaded}'s runbook. */
    private static Map<String, String> only(Map<String, String> overrides, Loaded loaded) {
        Map<String, String> out = new LinkedHashMap<>();
        loaded.rules().forEach(r -> {
            if (overrides.containsKey(r.id())) {
                out.put(r.id(), overrides.get(r.id()));
            }
        });
        return out;
    }

    /** The objective as the headline says it: {@code 45s}, {@code 15m00s}. */
    private static String minutesSeconds(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : (s / 60) + "m" + String.format("%02d", s % 60) + "s";
    }
}
