package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.journal.CorruptJournalException;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.LockHeldException;
import io.drctl.orchestrator.journal.Provenance;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunLock;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.LostTargets;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs, resumes and rolls back runbooks in a state directory: the programmatic API behind
 * {@code drctl run|resume|rollback} (and what a drill or scheduler builds on). Every method takes
 * the state directory's lock for its duration.
 *
 * @param store    the state directory's runs
 * @param registry the step and rule types runbooks may use
 * @param options  how runs run: policy and services
 */
public record Runs(RunStore store, StepTypeRegistry registry, EngineOptions options) {

    /**
     * Validates, then executes a new run.
     *
     * @throws InvalidInputException when the inventory or runbook is invalid (nothing was run, no run dir)
     * @throws LockHeldException     when another run holds the state directory
     */
    public RunResult run(Path inventoryFile, Path runbookFile, Map<String, String> params)
            throws InvalidInputException, LockHeldException, IOException {
        Loaded loaded = Loaded.load(inventoryFile, runbookFile, params, registry);
        checkOverrides(loaded, options.overrides());
        Plan plan = Planner.plan(loaded, registry);
        String runId = store.newRunId(loaded.runbook().name(), options.clock());
        try (RunLock lock = lock(runId)) {
            Path runDir = store.create(runId, inventoryFile, runbookFile);
            Redactor redactor = Redactor.of(loaded.inventory(), options.env());
            EngineOptions o = redacting(options, redactor);
            try (Journal journal = Journal.open(runDir, options.clock(), redactor)) {
                Map<String, Object> start = new LinkedHashMap<>();
                start.put("runbook", loaded.runbook().name());
                start.put("runbookFile", runbookFile.toAbsolutePath().toString());
                start.put("inventoryFile", inventoryFile.toAbsolutePath().toString());
                start.put("params", loaded.params());
                start.put("dryRun", options.dryRun());
                start.put("user", options.who());
                start.put("pid", ProcessHandle.current().pid());
                // what ran, as the run's own copies hold it (a report proves which versions it speaks of)
                start.put("runbookSha256", Provenance.sha256(runDir.resolve(RunStore.RUNBOOK_COPY)));
                start.put("inventorySha256", Provenance.sha256(runDir.resolve(RunStore.INVENTORY_COPY)));
                start.put("drctlVersion", Provenance.VERSION);
                putOverrides(start);
                if (!options.lost().isEmpty()) {
                    start.put(ASSUME_LOST, options.lost().faults());
                }
                journal.append(EventType.RUN_STARTED, start);
                faultsInjected(journal, options.lost());
                o.progress().runStarted(runId, "run " + runId + (options.dryRun() ? " (dry run)" : "") + ": "
                        + loaded.runbook().name() + ", " + plan.steps().size() + " step(s); journal " + runDir.resolve(Journal.FILE));
                return new Engine(plan, runId, runDir, journal, o, redactor).execute(RunState.replay(List.of()));
            }
        }
    }

    /**
     * Continues a crashed or failed run with the inputs and parameters it started with. Empty when
     * the run already succeeded. A dry run resumes as a dry run.
     *
     * @throws java.util.NoSuchElementException when there is no such run
     */
    public Optional<RunResult> resume(String runId) throws InvalidInputException, LockHeldException, IOException {
        return resume(runId, false);
    }

    /**
     * The same; with {@code liftFaults}, the run's injected faults ({@code --assume-lost}) are lifted: the lost
     * targets are back, and what their loss made fail is tried again (journaled as {@code faultsLifted}).
     */
    public Optional<RunResult> resume(String runId, boolean liftFaults)
            throws InvalidInputException, LockHeldException, IOException {
        Path runDir = existing(runId);
        try (RunLock lock = lock(runId)) {
            RunState state = replay(runDir, "resume");
            if (state.runStatus() == Status.SUCCEEDED) {
                return Optional.empty();
            }
            Loaded loaded = reload(runDir, state);
            boolean dryRun = Boolean.TRUE.equals(state.start().get("dryRun"));
            checkOverrides(loaded, options.overrides());
            Plan plan = Planner.plan(loaded, registry);
            Redactor redactor = Redactor.of(loaded.inventory(), options.env());
            LostTargets recorded = lostOf(state, loaded);
            EngineOptions o = redacting(options.with(options.policy().withDryRun(dryRun)), redactor)
                    .withLost(liftFaults ? LostTargets.NONE : recorded);
            try (Journal journal = Journal.open(runDir, options.clock(), redactor)) {
                Map<String, Object> resumed = new LinkedHashMap<>();
                resumed.put("user", options.who());
                resumed.put("pid", ProcessHandle.current().pid());
                putOverrides(resumed);
                if (liftFaults && !recorded.isEmpty()) {
                    resumed.put("faultsLifted", recorded.faults());
                }
                journal.append(EventType.RUN_RESUMED, resumed);
                faultsInjected(journal, o.lost());
                o.progress().runStarted(runId, "resuming run " + runId + ": " + loaded.runbook().name());
                return Optional.of(new Engine(plan, runId, runDir, journal, o, redactor).execute(state));
            }
        }
    }

    /** Reverts the changed actions of a run in reverse completion order (dry run: lists them). */
    public RunResult rollback(String runId) throws InvalidInputException, LockHeldException, IOException {
        Path runDir = existing(runId);
        try (RunLock lock = lock(runId)) {
            RunState state = replay(runDir, "roll back");
            Loaded loaded = reload(runDir, state);
            Plan plan = Planner.plan(loaded, registry);
            Redactor redactor = Redactor.of(loaded.inventory(), options.env());
            EngineOptions o = redacting(options, redactor).withLost(lostOf(state, loaded));
            try (Journal journal = Journal.open(runDir, options.clock(), redactor)) {
                faultsInjected(journal, o.lost());
                o.progress().runStarted(runId, "rolling back run " + runId + ": " + state.changedInOrder().size()
                        + " changed action(s)");
                return new Engine(plan, runId, runDir, journal, o, redactor).rollback(state);
            }
        }
    }

    /** The key of {@code run.started} listing the {@code --assume-lost} values: resume and rollback keep them. */
    public static final String ASSUME_LOST = "assumeLost";

    /**
     * The run's own lost targets (those its {@code run.started} recorded), unless this invocation names
     * its own: a fault injected into a run stays injected when the run is resumed or rolled back.
     */
    private LostTargets lostOf(RunState state, Loaded loaded) throws InvalidInputException {
        if (!options.lost().isEmpty() || !(state.start().get(ASSUME_LOST) instanceof List<?> values)) {
            return options.lost();
        }
        return AssumeLost.parse(values.stream().map(String::valueOf).toList(), loaded.inventory());
    }

    /** Journals {@code fault.injected}, one per {@code --assume-lost} value, with the hosts and DNS servers it makes lost. */
    private static void faultsInjected(Journal journal, LostTargets lost) {
        for (String fault : lost.faults()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("fault", fault);
            d.put("hosts", lost.hosts().entrySet().stream().filter(e -> e.getValue().equals(fault)).map(Map.Entry::getKey)
                    .sorted().toList());
            d.put("dnsServers", lost.dns().entrySet().stream().filter(e -> e.getValue().equals(fault)).map(Map.Entry::getKey)
                    .sorted().toList());
            d.put("detail", "treated as powered off and unreachable: drctl contacts none of them");
            journal.append(EventType.FAULT_INJECTED, d);
        }
    }

    private RunLock lock(String runId) throws IOException, LockHeldException {
        return RunLock.acquire(store.stateDir(), runId, options.user(), options.host(), options.clock().instant());
    }

    private Path existing(String runId) {
        return store.existing(runId).orElseThrow(() -> new java.util.NoSuchElementException("no run " + runId));
    }

    /** The state of an earlier run that can be acted on ({@code what}: "resume", "roll back"). */
    private static RunState replay(Path runDir, String what) throws IOException, InvalidInputException {
        RunState state = RunState.replay(readJournal(runDir, what));
        requireStart(runDir, state, what);
        return state;
    }

    /** What the operator allowed, journaled up front with the start or resume. */
    private void putOverrides(Map<String, Object> data) {
        if (!options.overrides().isEmpty()) {
            data.put("ruleOverrides", options.overrides());
        }
    }

    /**
     * Every overridden rule id must name a rule of the runbook (a typo must not silently override
     * nothing), and each needs a reason (checked by {@link EngineOptions}).
     */
    public static void checkOverrides(Loaded loaded, Map<String, String> overrides) throws InvalidInputException {
        List<String> ids = loaded.rules().stream().map(io.drctl.orchestrator.spi.RuleSpec::id).toList();
        io.drctl.orchestrator.config.yaml.Problems problems = new io.drctl.orchestrator.config.yaml.Problems();
        for (String id : overrides.keySet()) {
            if (!ids.contains(id)) {
                problems.add(io.drctl.orchestrator.config.yaml.Location.synthetic("command line", "--override-rule"),
                        "--override-rule " + id + ": runbook `" + loaded.runbook().name() + "` has no rule `" + id + "`",
                        ids.isEmpty() ? "it declares no rules" : io.drctl.orchestrator.config.yaml.Hints.didYouMean(id, ids));
            }
        }
        problems.throwIfAny();
    }

    /** {@code o} printing through {@code redactor}: the journal's redactor covers the console too. */
    private static EngineOptions redacting(EngineOptions o, Redactor redactor) {
        return o.withProgress(new RedactedProgress(o.progress(), redactor));
    }

    /** The run's journal; a corrupt line (not a torn tail) is invalid input naming file and line. */
    static List<JournalEvent> readJournal(Path runDir, String what) throws IOException, InvalidInputException {
        try {
            return Journal.read(runDir.resolve(Journal.FILE));
        } catch (CorruptJournalException e) {
            io.drctl.orchestrator.config.yaml.Problems problems = new io.drctl.orchestrator.config.yaml.Problems();
            problems.add(io.drctl.orchestrator.config.yaml.Location.synthetic(e.file() + ":" + e.line(), "journal"),
                    "cannot " + what + ": line " + e.line() + " of the journal is not a journal event (only a torn last"
                            + " line is repaired automatically)", "inspect the file; do not edit a journal by hand");
            problems.throwIfAny();
            throw e;
        }
    }

    /**
     * A journal without its {@code run.started} line has lost the run's parameters and whether it was a
     * dry run: acting on it would guess both (the runbook's defaults, live), so it is refused.
     */
    static void requireStart(Path runDir, RunState state, String what) throws InvalidInputException {
        if (!state.hasStart()) {
            io.drctl.orchestrator.config.yaml.Problems problems = new io.drctl.orchestrator.config.yaml.Problems();
            problems.add(io.drctl.orchestrator.config.yaml.Location.synthetic(runDir.resolve(Journal.FILE).toString(), "run.started"),
                    "cannot " + what + ": the journal has no run.started line, so the run's parameters and dry-run flag are"
                            + " unknown", "start a new run with `drctl run` (add --dry-run first to see what it would do)");
            problems.throwIfAny();
        }
    }

    /** The run's copied inputs, loaded with its recorded parameters. */
    public Loaded reload(Path runDir, RunState state) throws InvalidInputException {
        return Loaded.load(runDir.resolve(RunStore.INVENTORY_COPY), runDir.resolve(RunStore.RUNBOOK_COPY), state.params(),
                registry);
    }
}
