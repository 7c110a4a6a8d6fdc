package io.drctl.orchestrator.report;

import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a drill's report says beyond its phases: the faults injected into the failover ({@code --assume-lost})
 * with what was skipped because of them (read back from the run's journal), and the drill's runs in
 * order (failover, failback or rollback, final verification) ending with the final verified state.
 *
 * @param faults     each {@code fault.injected}: the value and what it made lost
 * @param skipped    each {@code action.skipped-lost}: where, what, to which target, because of which fault
 * @param runs       the drill's runs in order, e.g. {@code failover: FAILED at check-cfgmaster (run …)}
 * @param finalState the state the drill left, verified or not, and how to go on when it is not the normal one
 */
public record DrillOutcome(List<String> faults, List<String> skipped, List<String> runs, String finalState) {
    public static final DrillOutcome NONE = new DrillOutcome(List.of(), List.of(), List.of(), "");

    public DrillOutcome {
        faults = List.copyOf(faults);
        skipped = List.copyOf(skipped);
        runs = List.copyOf(runs);
    }

    /** The faults and skipped actions journaled in the run at {@code runDir}, redacted with its inventory's secrets. */
    public static DrillOutcome faultsOf(Path runDir, Map<String, String> env, List<String> runs, String finalState)
            throws IOException {
        List<String> faults = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Path journal = runDir.resolve(Journal.FILE);
        if (Files.exists(journal)) {
            Redactor redactor = Redactor.forInventoryFile(runDir.resolve(RunStore.INVENTORY_COPY), env);
            for (JournalEvent e : Journal.read(journal)) {
                if (e.event().equals(EventType.FAULT_INJECTED.wire())) {
                    String line = e.str("fault") + ": hosts " + e.data().getOrDefault("hosts", List.of()) + ", DNS servers "
                            + e.data().getOrDefault("dnsServers", List.of()) + " treated as powered off and unreachable";
                    String shown = redactor.redact(line); // a resumed run journals its faults again
                    if (!faults.contains(shown)) {
                        faults.add(shown);
                    }
                } else if (e.event().equals(EventType.ACTION_SKIPPED_LOST.wire())) {
                    String where = e.step().map(s -> s + " " + e.target().orElse("")).orElse("safety rules");
                    skipped.add(redactor.redact(where + ": " + e.str("what") + " to " + e.str("contact") + " not done ("
                            + e.str("fault") + ")"));
                }
            }
        }
        return new DrillOutcome(faults, skipped, runs, finalState);
    }

    /** The Markdown sections ("Runs", "Injected faults"), empty when there is nothing to say. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        if (!runs.isEmpty()) {
            b.append("\n## Runs\n\n");
            runs.forEach(r -> b.append("- ").append(r).append("\n"));
            b.append("\n**Final state**: ").append(finalState).append("\n");
        }
        if (!faults.isEmpty()) {
            b.append("\n## Injected faults\n\n");
            faults.forEach(f -> b.append("- ").append(f).append("\n"));
            b.append("\n**Skipped because of the faults** (").append(skipped.size()).append("):\n\n");
            skipped.forEach(s -> b.append("- ").append(s).append("\n"));
        }
        return b.toString();
    }

    /** The same as HTML. */
    public String html() {
        StringBuilder b = new StringBuilder();
        if (!runs.isEmpty()) {
            b.append("<h2>Runs</h2><ul>");
            runs.forEach(r -> b.append("<li>").append(HtmlReport.esc(r)).append("</li>"));
            b.append("</ul><p><strong>Final state</strong>: ").append(HtmlReport.esc(finalState)).append("</p>");
        }
        if (!faults.isEmpty()) {
            b.append("<section id=\"faults\"><h2>Injected faults</h2><ul>");
            faults.forEach(f -> b.append("<li data-fault>").append(HtmlReport.esc(f)).append("</li>"));
            b.append("</ul><p><strong>Skipped because of the faults</strong> (").append(skipped.size()).append("):</p><ul>");
            skipped.forEach(s -> b.append("<li>").append(HtmlReport.esc(s)).append("</li>"));
            b.append("</ul></section>");
        }
        return b.toString();
    }
}
