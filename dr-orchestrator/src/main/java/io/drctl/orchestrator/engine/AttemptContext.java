package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.StepLog;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** One attempt of one action: its {@link RunScope} plus the step, the attempt number, its deadline and its journal. */
final class AttemptContext extends RunScope implements ActionContext {
    private final String stepId;
    private final String target;
    private final int attempt;
    private final Cancellation cancel;
    private final StepLog log;
    private final BiConsumer<String, String> note;
    private final Consumer<Figure> observe;
    private final Consumer<Evidence> evidence;

    AttemptContext(RunScope scope, String stepId, String target, int attempt, Cancellation cancel, StepLog log,
                   BiConsumer<String, String> note, Consumer<Figure> observe, Consumer<Evidence> evidence) {
        super(scope);
        this.stepId = stepId;
        this.target = target;
        this.attempt = attempt;
        this.cancel = cancel;
        this.log = log;
        this.note = note;
        this.observe = observe;
        this.evidence = evidence;
    }

    @Override
    public String stepId() {
        return stepId;
    }

    /** The run's host access, refusing the lost hosts' sessions as this action's refusals. */
    @Override
    public io.drctl.orchestrator.spi.HostAccess hosts() {
        return LostHostAccess.of(super.hostsAsOpened(), lost());
    }

    @Override
    public io.drctl.orchestrator.spi.LostTargets lost() {
        return lostFor(stepId, target);
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Cancellation cancellation() {
        return cancel;
    }

    @Override
    public StepLog log() {
        return log;
    }

    @Override
    public void note(String key, String value) {
        note.accept(key, value);
    }

    @Override
    public void observe(Figure figure) {
        observe.accept(figure);
    }

    @Override
    public void evidence(Evidence e) {
        evidence.accept(e);
    }
}
