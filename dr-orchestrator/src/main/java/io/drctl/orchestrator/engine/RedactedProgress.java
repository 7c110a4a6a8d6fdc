package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.Redactor;

/**
 * Progress with a run's secrets redacted: {@link Runs} wraps the caller's progress in it with the same
 * {@link Redactor} the run's journal uses, so every line a run prints (headline, step lines, detail
 * lines) passes through it, whoever built the line.
 */
record RedactedProgress(Progress inner, Redactor redactor) implements Progress {
    @Override
    public void runStarted(String runId, String headline) {
        inner.runStarted(runId, redactor.redact(headline));
    }

    @Override
    public void stepStarted(String id, String type, int targets) {
        inner.stepStarted(redactor.redact(id), type, targets);
    }

    @Override
    public void stepFinished(StepOutcome o) {
        inner.stepFinished(new StepOutcome(redactor.redact(o.id()), o.type(), o.status(), o.targets(), o.changed(),
                o.duration(), o.error().map(redactor::redact)));
    }

    @Override
    public void detail(String step, String target, String line) {
        inner.detail(redactor.redact(step), redactor.redact(target), redactor.redact(line));
    }

    @Override
    public void notice(String step, String target, String line) {
        inner.notice(redactor.redact(step), redactor.redact(target), redactor.redact(line));
    }
}
