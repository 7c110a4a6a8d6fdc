package io.drctl.orchestrator.spi;

import io.drctl.host.AdapterFailure;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one place that decides whether a failure is worth another attempt. Classified by type, never by message. */
public final class Failures {
    private Failures() {
    }

    public record Failure(String message, boolean retriable) {
    }

    public static Failure classify(Throwable t) {
        if (t instanceof StepFailure f) {
            return new Failure(f.getMessage(), f.isRetriable());
        }
        if (t instanceof AdapterFailure a) {
            // every adapter's failures share one contract: kind, target, retriable
            return new Failure(a.kindName() + ": " + a.getMessage(), a.isRetriable());
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return new Failure("I/O: " + t.getMessage(), true);
        }
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new Failure("interrupted", false);
        }
        // anything else is a bug in a step type: do not hammer the target with retries
        return new Failure("internal error " + t.getClass().getSimpleName() + ": " + t.getMessage(), false);
    }
}
