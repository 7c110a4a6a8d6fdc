package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.Redactor;
import io.drctl.orchestrator.engine.RunStore;
import io.drctl.orchestrator.engine.StepOutcome;
import java.util.Map;

/**
 * Console progress with the run's secrets redacted: when a run, resume or rollback starts, the
 * secrets its inventory references are read from the run's own copy of the inventory, and every later
 * line passes through them. (The engine redacts what it reports too; this also covers lines it does
 * not build itself.)
 */
final class RedactingProgress implements Progress {
    private final Progress inner;
    private final RunStore store;
    private final Map<String, String> env;
    private volatile Redactor redactor = Redactor.none();

    RedactingProgress(Progress inner, RunStore store, Map<String, String> env) {
        this.inner = inner;
        this.store = store;
        this.env = env;
    }

    @Override
    public void runStarted(String runId, String headline) {
        Redactor r;
        try {
            r = Redactor.forInventoryFile(store.runDir(runId).resolve(RunStore.INVENTORY_COPY), env);
        } catch (IllegalArgumentException e) {
            r = Redactor.none(); // not a run id of this store: nothing to read secrets from
        }
        redactor = r;
        inner.runStarted(runId, r.redact(headline));
    }

    @Override
    public void stepStarted(String id, String type, int targets) {
        inner.stepStarted(redactor.redact(id), type, targets);
    }

    @Override
    public void stepFinished(StepOutcome o) {
        Redactor r = redactor;
        inner.stepFinished(new StepOutcome(r.redact(o.id()), o.type(), o.status(), o.targets(), o.changed(), o.duration(),
                o.error().map(r::redact)));
    }

    @Override
    public void detail(String step, String target, String line) {
        Redactor r = redactor;
        inner.detail(r.redact(step), r.redact(target), r.redact(line));
    }
}
