package io.drctl.orchestrator.report;

import static io.drctl.orchestrator.report.DrillReport.fmt;

import io.drctl.orchestrator.report.DrillReport.Phase;
import io.drctl.orchestrator.report.DrillReport.StepLine;

/** The drill report as Markdown: the same facts as the HTML page, as text. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String of(DrillReport r) {
        StringBuilder b = new StringBuilder();
        b.append("# DR drill ").append(r.drillId()).append("\n\n");
        b.append("- Inventory: `").append(r.inventory()).append("`\n");
        b.append("- Phases: ").append(String.join(" → ", r.phases().stream().map(Phase::name).toList()))
                .append(" (failover ").append(r.from()).append(" → ").append(r.to()).append(")\n");
        r.figures().forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append("\n"));
        b.append("- **Verdict: ").append(r.verdict()).append("**\n");
        b.append(r.outcome().markdown());
        for (Phase p : r.phases()) {
            b.append("\n## ").append(p.name()).append(": ").append(p.runbook()).append(" (run `").append(p.runId())
                    .append("`) — ").append(p.status()).append(" in ").append(fmt(p.duration())).append("\n\n");
            RunProvenance v = p.provenance();
            b.append("**Provenance**: runbook sha256 `").append(v.runbookSha256()).append("`, inventory sha256 `")
                    .append(v.inventorySha256()).append("`, drctl ").append(v.drctlVersion()).append(", operator ")
                    .append(v.operator()).append(", mode ").append(v.mode()).append(v.dryRun() ? " (dry run)" : "").append("\n\n");
            v.approvals().forEach(a -> b.append("**Approval**: ").append(a).append("\n\n"));
            v.overrides().forEach(o -> b.append("**Override**: ").append(o).append("\n\n"));
            b.append("**Where the time went**: ").append(p.time().describe()).append("\n\n");
            p.rpo().forEach(x -> b.append("**Recovery point**: ").append(x).append("\n\n"));
            if (!p.bestEffortFailures().isEmpty()) {
                b.append("**Best-effort failures** (steps marked `onFailure: continue`): ")
                        .append(String.join(", ", p.bestEffortFailures())).append("\n\n");
            }
            b.append("| step | type | status | targets | applied | start (UTC) | duration | error |\n");
            b.append("|---|---|---|---:|---:|---|---:|---|\n");
            for (StepLine s : p.steps()) {
                b.append("| ").append(s.id()).append(" | ").append(s.type()).append(" | ").append(s.status()).append(" | ")
                        .append(s.targets()).append(" | ").append(s.changed()).append(" | ").append(s.started()).append(" | ")
                        .append(fmt(s.duration())).append(" | ").append(cell(s.error())).append(" |\n");
            }
            if (!p.gaps().isEmpty()) {
                b.append("\n**Between steps**:\n\n");
                p.gaps().forEach(g -> b.append("- ").append(g.after()).append(" → ").append(g.before()).append(": ")
                        .append(g.label()).append("\n"));
            }
            if (!p.evidence().isEmpty()) {
                b.append("\n**Evidence** (what each verification observed):\n\n");
                b.append("| step | observer | target | observed | expected | verdict |\n|---|---|---|---|---|---|\n");
                p.evidence().forEach(e -> b.append("| ").append(cell(e.step())).append(" | ").append(cell(e.observer()))
                        .append(" | ").append(cell(e.target())).append(" | ").append(cell(e.observed())).append(" | ")
                        .append(cell(e.expected())).append(" | ").append(e.verdict()).append(" |\n"));
            }
            if (!p.ruleChecks().isEmpty()) {
                b.append("\n**Safety rules** (what each saw):\n\n| rule | when | observed | verdict |\n|---|---|---|---|\n");
                p.ruleChecks().forEach(e -> b.append("| ").append(cell(e.step())).append(" | ").append(cell(e.action())).append(" | ")
                        .append(cell(e.observed())).append(" | ").append(e.ok() ? "holds" : "violated").append(" |\n"));
            }
        }
        b.append("\nEvery line above is read back from the runs' append-only journals (")
                .append("`<state-dir>/runs/<run>/journal.jsonl`).\n");
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
