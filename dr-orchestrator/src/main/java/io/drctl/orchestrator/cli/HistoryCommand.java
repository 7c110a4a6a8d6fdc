package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.RunView;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.RunStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drctl history}: the runs of a state directory, newest first; unreadable journals are warned about and skipped. */
@Command(name = "history", mixinStandardHelpOptions = true, description = "List runs in the state directory, newest first.",
        footer = {"", "Examples:", "  drctl history", "  drctl history --limit 5 --output json"})
final class HistoryCommand extends StateCommand {
    @Option(names = "--limit", defaultValue = "20", description = "at most this many runs (default 20)")
    int limit;

    @Override
    public Integer call() throws IOException {
        RunStore store = store();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String id : store.runIds().stream().limit(limit).toList()) {
            Optional<List<JournalEvent>> events = ctx.readOrWarn(store.runDir(id).resolve(Journal.FILE));
            if (events.isEmpty()) {
                continue;
            }
            Map<String, Object> m = RunView.describe(id, RunState.replay(events.get()));
            m.remove("steps");
            @SuppressWarnings("unchecked")
            Map<String, Object> redacted = (Map<String, Object>) ctx.redactor(store.runDir(id)).redactDeep(m);
            runs.add(redacted);
        }
        RunView.printHistory(ctx.out(), shared.json(), runs, store.stateDir());
        return ExitCodes.OK;
    }
}
