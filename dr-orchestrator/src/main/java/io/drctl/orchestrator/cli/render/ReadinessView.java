package io.drctl.orchestrator.cli.render;

import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Problem;
import io.drctl.orchestrator.readiness.CheckResult;
import io.drctl.orchestrator.readiness.ReadinessResult;
import java.io.PrintStream;
import java.util.stream.Collectors;

/** A readiness round as {@code drctl readiness} prints it, and as the daemon logs it. */
public final class ReadinessView {
    private ReadinessView() {
    }

    /** One line per check, then the verdict. */
    public static void print(PrintStream out, ReadinessResult r) {
        out.println("readiness: " + r.runbook() + " on " + r.inventory() + r.runId().map(id -> ", run " + id).orElse(""));
        int w = Math.max(8, r.checks().stream().mapToInt(c -> c.id().length()).max().orElse(8));
        int tw = Math.max(8, r.checks().stream().mapToInt(c -> c.type().length()).max().orElse(8));
        for (CheckResult c : r.checks()) {
            out.printf("  %-4s  %-" + w + "s  %-" + tw + "s  %s%n", c.ok() ? "ok" : "FAIL", c.id(), c.type(), c.detail());
        }
        out.println(r.verdict() + " (" + Durations.format(r.duration()) + ")");
    }

    /** A daemon round's one-line log. */
    public static String logLine(ReadinessResult r) {
        return r.finished().toString() + " " + r.verdict() + r.runId().map(id -> " [run " + id + "]").orElse("")
                + " in " + Durations.format(r.duration())
                + (r.failed().isEmpty() ? "" : ": " + r.failed().stream().map(c -> c.id() + ": " + c.detail())
                .collect(Collectors.joining(" | ")));
    }

    /** Problems of invalid input as one line (for a daemon round's error). */
    public static String oneLine(InvalidInputException e) {
        return "invalid input: " + e.problems().stream().map(Problem::render).collect(Collectors.joining("; "));
    }
}
