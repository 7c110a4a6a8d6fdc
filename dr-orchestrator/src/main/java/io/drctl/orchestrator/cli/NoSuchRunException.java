package io.drctl.orchestrator.cli;

/** The command line names a run the state directory does not hold (or no run at all): exit 2, nothing done. */
final class NoSuchRunException extends InvalidArgumentException {
    NoSuchRunException(String message) {
        super(message);
    }
}
