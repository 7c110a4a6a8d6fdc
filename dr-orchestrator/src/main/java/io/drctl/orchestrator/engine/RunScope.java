package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.StepLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What stays the same through one run, rollback or plan probe while its host access is open: the
 * read-only world a safety rule sees, and what every action attempt of the run shares
 * ({@link #attempt} makes an attempt's {@link ActionContext}).
 */
class RunScope implements RuleContext {
    private final Plan plan;
    private final EngineOptions options;
    private final HostAccess hosts;
    private final String runId;
    private final Optional<Path> runDir;
    private final Approvals approvals;
    private final boolean dryRun;

    RunScope(Plan plan, EngineOptions options, HostAccess hosts, String runId, Optional<Path> runDir, Approvals approvals,
             boolean dryRun) {
        this.plan = plan;
        this.options = options;
        this.hosts = hosts;
        this.runId = runId;
        this.runDir = runDir;
        this.approvals = approvals;
        this.dryRun = dryRun;
    }

    /** The same scope, for a subclass that adds an attempt's own facts. */
    RunScope(RunScope scope) {
        this(scope.plan, scope.options, scope.hosts, scope.runId, scope.runDir, scope.approvals, scope.dryRun);
    }

    /**
     * The context of one attempt of an action of {@code stepId}; {@code note} journals a key/value for the action,
     * {@code observe} a figure it observed, {@code evidence} what it observed.
     */
    ActionContext attempt(String stepId, int attempt, Cancellation cancel, StepLog log, BiConsumer<String, String> note,
                          Consumer<Figure> observe, Consumer<Evidence> evidence) {
        return new AttemptContext(this, stepId, attempt, cancel, log, note, observe, evidence);
    }

    /** An action's evidence as its journal event's data ({@code attempt} tells a retried verification's rows apart). */
    static Map<String, Object> evidenceData(Evidence e, int attempt) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("observer", e.observer());
        m.put("subject", e.target()); // "target" is the action's, on every action event
        m.put("observed", e.observed());
        m.put("expected", e.expected());
        m.put("ok", e.ok());
        m.put("attempt", attempt);
        return m;
    }

    /** An action's lines on the run's progress, redacted; a notice is also journaled as a {@code notice} note. */
    StepLog log(String step, String target, Redactor redactor, BiConsumer<String, String> note) {
        return new StepLog() {
            @Override
            public void info(String line) {
                options.progress().detail(step, target, redactor.redact(line));
            }

            @Override
            public void notice(String line) {
                String shown = redactor.redact(line);
                options.progress().notice(step, target, shown);
                note.accept("notice", shown); // what the operator was told is in the journal too
            }
        };
    }

    @Override
    public Inventory inventory() {
        return plan.loaded().inventory();
    }

    @Override
    public Map<String, String> params() {
        return plan.loaded().params();
    }

    @Override
    public HostAccess hosts() {
        return hosts;
    }

    @Override
    public Clock clock() {
        return options.clock();
    }

    @Override
    public Map<String, String> env() {
        return options.env();
    }

    public String runId() {
        return runId;
    }

    public Optional<Path> runDir() {
        return runDir;
    }

    public Approvals approvals() {
        return approvals;
    }

    /** A dry run or a plan: probes run nothing that is not declared read-only. */
    public boolean dryRun() {
        return dryRun;
    }
}
