package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.Failures;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Read-only probes of every action of a plan, for {@code drctl plan} without {@code --offline}. */
public final class PlanProbe {
    private PlanProbe() {
    }

    /** A probe outcome: the probe, or why it could not run. */
    public record Outcome(Optional<Probe> probe, Optional<String> error) {
    }

    /** Probes each action (bounded by {@code perProbe}); keys are {@code step/target}. */
    public static Map<String, Outcome> probe(Plan plan, EngineOptions options, Duration perProbe, Redactor redactor) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        Approvals none = new Approvals() {
            @Override
            public Optional<Approval> find(String stepId) {
                return Optional.empty();
            }

            @Override
            public Approval await(String stepId, String message, Cancellation c) {
                throw new IllegalStateException("plan never waits for approvals");
            }
        };
        try (HostAccess hosts = options.hostAccess().apply(plan.loaded().inventory())) {
            // a plan changes nothing: probes skip what is not declared read-only
            RunScope scope = new RunScope(plan, options, hosts, "plan", Optional.empty(), none, true,
                    RunScope.SkipJournal.NONE);
            for (Plan.PlannedStep s : plan.steps()) {
                for (Action a : s.actions()) {
                    Cancellation cancel = new Cancellation(options.clock(),
                            Optional.of(options.clock().instant().plus(perProbe)), "probe " + s.id());
                    ActionContext ctx = scope.attempt(s.id(), a.target(), 1, cancel, StepLog.NONE, (k, v) -> { }, f -> { }, e -> { });
                    String key = s.id() + "/" + a.target();
                    try {
                        Probe p = a.probe(ctx);
                        out.put(key, new Outcome(Optional.of(new Probe(p.state(), redactor.redact(p.current()),
                                redactor.redact(p.desired()))), Optional.empty()));
                    } catch (Exception e) {
                        out.put(key, new Outcome(Optional.empty(), Optional.of(redactor.redact(Failures.classify(e).message()))));
                    }
                }
            }
        }
        return out;
    }
}
