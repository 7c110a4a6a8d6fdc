package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.ProgressPrinter;
import io.drctl.orchestrator.engine.EngineOptions;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.RunPolicy;
import io.drctl.orchestrator.engine.RunServices;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.readiness.Readiness;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The streams and runtime every command uses, and what commands build from them. */
record Ctx(CliRuntime rt, PrintStream out, PrintStream err) {

    EngineOptions options(boolean dryRun, boolean yes, Progress progress) {
        return new EngineOptions(RunPolicy.of(dryRun, yes), new RunServices(rt.clock(), rt.env(),
                rt.hostAccess(), rt.user(), rt.host(), progress, yes ? Optional.empty() : rt.prompt()));
    }

    /** One line per step start and end on {@link #out}; detail lines too when {@code verbose}. */
    Progress printer(boolean verbose) {
        return new ProgressPrinter(out, rt.clock(), verbose);
    }

    /** A {@link Runs} on {@code store} with this invocation's step types and {@code options}; errors redacted by the engine. */
    Runs runs(RunStore store, EngineOptions options) {
        return new Runs(store, rt.registry().get(), options);
    }

    /** Readiness rounds journaled through {@code runs}, on this invocation's clock and environment. */
    Readiness readiness(Runs runs) {
        return new Readiness(runs, rt.clock(), rt.env());
    }

    /** The secrets of run {@code runDir}'s inventory (its copy), for what status and history print. */
    Redactor redactor(Path runDir) {
        return Redactor.forInventoryFile(runDir.resolve(RunStore.INVENTORY_COPY), rt.env());
    }

    /** The directory of run {@code runId}; {@link NoSuchRunException} when there is none or the id is not one. */
    static Path findRun(RunStore store, String runId) throws NoSuchRunException {
        try {
            return store.existing(runId).orElseThrow(() -> new NoSuchRunException(
                    "no run '" + runId + "' in " + store.stateDir() + " (see drctl history)"));
        } catch (IllegalArgumentException e) {
            throw new NoSuchRunException(e.getMessage());
        }
    }

    /** A run's journal, or a warning on stderr naming the file and why it cannot be read (the other runs stay listed). */
    Optional<List<JournalEvent>> readOrWarn(Path journal) {
        try {
            return Optional.of(Journal.read(journal));
        } catch (IOException | RuntimeException e) {
            err.println("drctl: warning: skipping a run whose journal cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }
}
