package io.drctl.orchestrator.cli;

import java.util.concurrent.Callable;

/** What every command has: the invocation's streams and runtime. Returns an exit code ({@link ExitCodes}). */
abstract class CtxCommand implements Callable<Integer> {
    final Ctx ctx;

    CtxCommand(Ctx ctx) {
        this.ctx = ctx;
    }
}
