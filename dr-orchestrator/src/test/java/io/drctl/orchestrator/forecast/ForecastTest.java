package io.drctl.orchestrator.forecast;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.LoopbackCase;
import io.drctl.orchestrator.cli.ExitCodes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `drctl forecast` from real earlier runs in the state dir, against the next run's measured time. */
class ForecastTest extends LoopbackCase {
    // b waits for a (0.6 s then 0.4 s: the critical path), c runs beside them (0.2 s)
    static final String RUNBOOK = """
            name: timed
            steps:
              - id: a
                type: exec
                command: "sleep 0.6"
              - id: b
                type: exec
                command: "sleep 0.4"
                dependsOn: [a]
              - id: c
                type: exec
                command: "sleep 0.2"
            """;

    Fixtures.Cli forecast(java.nio.file.Path rb) {
        return Fixtures.cli("forecast", "--state-dir", state.toString(), "-i", inv.toString(), rb.toString()).assertExit(ExitCodes.OK);
    }

    static double seconds(String text, String label) {
        Matcher m = Pattern.compile(label + " (\\d+(?:\\.\\d+)?)(ms|s)").matcher(text);
        assertTrue(m.find(), label + " in: " + text);
        double v = Double.parseDouble(m.group(1));
        return m.group(2).equals("ms") ? v / 1000 : v;
    }

    @Test
    void forecast_fromEarlierRuns_isTheCriticalPathOfWhatTheyMeasured_criticalPathNamed() throws Exception {
        java.nio.file.Path rb = runbook(RUNBOOK);
        Fixtures.Cli none = forecast(rb);
        assertTrue(none.out().contains("no earlier run measured: exec") && none.out().contains("from 0 earlier run(s)"), none.out());

        double slowest = 0;
        for (int i = 0; i < 3; i++) {
            Fixtures.Cli r = Fixtures.cli("run", "--state-dir", state.toString(), inv.toString(), rb.toString()).assertExit(ExitCodes.OK);
            slowest = Math.max(slowest, seconds(r.out(), "SUCCEEDED in"));
        }
        Fixtures.cli("run", "--dry-run", "--state-dir", state.toString(), inv.toString(), rb.toString()).assertExit(ExitCodes.OK);
        Fixtures.Cli f = forecast(rb);
        assertTrue(f.out().contains("from 3 earlier run(s)"), "a dry run is not a measurement: " + f.out());
        assertTrue(f.out().lines().anyMatch(l -> l.startsWith("b ") && l.endsWith("critical path")), f.out());
        assertTrue(f.out().lines().anyMatch(l -> l.startsWith("a ") && l.endsWith("critical path")), "b waited for a: " + f.out());
        assertTrue(f.out().lines().noneMatch(l -> l.startsWith("c ") && l.endsWith("critical path")), f.out());
        double forecast = seconds(f.out(), "forecast RTO:");
        // the critical path a -> b sleeps 1.0 s; of three runs one has both a and b at or above their medians,
        // so the sum of the medians is at most that run, at most `slowest`
        assertTrue(forecast >= 1.0 && forecast <= slowest + 0.1, // 0.1: the summary prints tenths
                "forecast " + forecast + " s, runs up to " + slowest + " s\n" + f.out());
    }
}
