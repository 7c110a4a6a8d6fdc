package io.drctl.orchestrator.cli;

import java.util.concurrent.Callable;

/** What every command has: the invocation's streams and runtime. Returns an exit code ({@link ExitCodes}). */
abstract class CtxCommand implements Callable<Integer> {
    /** Set once, by {@link #in}, as {@link Main#run} adds the command: before picocli parses the command line. */
    Ctx ctx;

    /** This command, for the invocation {@code ctx}. */
    final CtxCommand in(Ctx ctx) {
        this.ctx = ctx;
        return this;
    }
}
