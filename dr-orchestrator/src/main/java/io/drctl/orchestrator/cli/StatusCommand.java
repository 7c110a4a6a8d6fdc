package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.RunView;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.RunStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drctl status}: a run's status per step; without a run id, the newest readable run. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a run's status per step (default: the latest run).",
        footer = {"", "Examples:", "  drctl status", "  drctl status 20261122T031500Z-full-failover-7f3a --output json"})
final class StatusCommand extends StateCommand {
    @Parameters(index = "0", paramLabel = "RUN", arity = "0..1")
    String runId;

    @Override
    public Integer call() throws Exception {
        RunStore store = store();
        String id = runId;
        List<JournalEvent> events = null;
        if (id == null) {
            for (String candidate : store.runIds()) {
                Optional<List<JournalEvent>> read = ctx.readOrWarn(store.runDir(candidate).resolve(Journal.FILE));
                if (read.isPresent()) {
                    id = candidate;
                    events = read.get();
                    break;
                }
            }
            if (id == null) {
                throw new NoSuchRunException("no readable runs in " + store.stateDir());
            }
        }
        Path runDir = Ctx.findRun(store, id);
        if (events == null) {
            Optional<List<JournalEvent>> read = ctx.readOrWarn(runDir.resolve(Journal.FILE));
            if (read.isEmpty()) {
                return ExitCodes.INVALID_INPUT;
            }
            events = read.get();
        }
        RunView.printStatus(ctx.out(), shared.json(), id, RunState.replay(events), runDir.resolve(Journal.FILE),
                events.size(), ctx.redactor(runDir));
        return ExitCodes.OK;
    }
}
