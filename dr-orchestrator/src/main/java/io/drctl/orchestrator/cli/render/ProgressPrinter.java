package io.drctl.orchestrator.cli.render;

import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.StepOutcome;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Console progress: the run's headline, one line per step start and end (UTC time of day), detail lines when verbose.
 *
 * @param out     where the lines go
 * @param clock   the time of day on each step line
 * @param verbose whether detail lines are printed too (notices always are)
 */
public record ProgressPrinter(PrintStream out, Clock clock, boolean verbose) implements Progress {
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    public synchronized void runStarted(String runId, String headline) {
        out.println(headline);
    }

    @Override
    public synchronized void stepStarted(String id, String type, int targets) {
        out.printf("%s  -> %-24s %-16s %d target(s)%n", HMS.format(clock.instant()), id, type, targets);
    }

    @Override
    public synchronized void stepFinished(StepOutcome o) {
        out.printf("%s  <- %-24s %-16s %-10s %d target(s) in %s%s%n", HMS.format(clock.instant()),
                o.id(), o.type(), o.status(), o.targets(), Durations.format(o.duration()),
                o.error().map(e -> "  " + e).orElse(""));
    }

    @Override
    public synchronized void notice(String step, String target, String line) {
        out.println("           " + step + " " + target + ": " + line);
    }

    @Override
    public synchronized void detail(String step, String target, String line) {
        if (verbose) {
            notice(step, target, line);
        }
    }
}
