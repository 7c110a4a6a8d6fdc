package io.drctl.orchestrator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drill of local exec runbooks: the phases, the verdict and the three report formats, read back from journals. */
class DrillReportTest {

    @TempDir
    Path tmp;

    Fixtures.Cli drill(String backCommand) throws Exception {
        return LocalDrill.run(tmp, tmp.resolve("state"), backCommand);
    }

    Path reportDir() throws Exception {
        return Fixtures.onlyDrill(tmp.resolve("state"));
    }

    @Test
    void drill_bothRunsSucceed_passingReportInThreeFormats() throws Exception {
        Fixtures.Cli r = drill("true").assertExit(ExitCodes.OK);
        assertEquals(List.of("over-first region1-region2", "back-first region2-region1"),
                Files.readAllLines(tmp.resolve("out.txt")), "failback runs with the direction swapped");
        Path dir = reportDir();
        String json = Files.readString(dir.resolve("report.json"));
        assertTrue(json.contains("\"passed\" : true") && json.contains("\"objective\" : \"PT1M\""), json);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("## failover: over") && md.contains("## failback: back"), md);
        assertTrue(md.indexOf("| first | exec | SUCCEEDED |") < md.indexOf("| second | exec | SUCCEEDED |"), "steps in start order");
        assertTrue(md.contains("**Verdict: PASSED: RTO "), md);
        assertTrue(md.contains("**Where the time went**: step work "), md);
        assertTrue(json.contains("\"time\" : {") && json.contains("\"ruleEvaluations\""), json);
        assertTrue(r.out().contains("time: step work "), "each run's summary says where its time went: " + r.out());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!doctype html>") && html.contains("class=\"verdict ok\""), html);
        assertTrue(html.contains("<strong>Where the time went</strong>: step work "), html);
    }

    @Test
    void drill_secondDrill_reportSetsTheForecastFromTheFirstAgainstTheMeasuredRto() throws Exception {
        drill("true").assertExit(ExitCodes.OK);
        String first = Files.readString(reportDir().resolve("report.md"));
        assertTrue(first.contains("- Forecast RTO: none (no earlier runs in the state dir)"), first);
        Thread.sleep(1100); // drill ids have a one-second resolution
        drill("true").assertExit(ExitCodes.OK);
        Path second;
        try (var s = Files.list(tmp.resolve("state/drills"))) {
            second = s.sorted().reduce((a, b) -> b).orElseThrow();
        }
        String md = Files.readString(second.resolve("report.md"));
        assertTrue(md.matches("(?s).*- Forecast RTO: [0-9.]+\\S* median, [0-9.]+\\S* p90, from [0-9]+ earlier run\\(s\\); measured "
                + "[0-9.]+\\S* is (at or below the median|between median and p90|above the p90)\n.*"), md);
        String json = Files.readString(second.resolve("report.json"));
        assertTrue(json.contains("\"forecast\" : {") && json.contains("\"runsRead\" : "), json);
    }

    @Test
    void drill_failbackFails_reportFailsAndNamesTheStep_htmlEscaped() throws Exception {
        Fixtures.Cli r = drill("echo '<b>boom</b>' >&2; exit 7");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(r.err().contains("drctl resume "), r.err());
        Path dir = reportDir();
        assertTrue(Files.readString(dir.resolve("report.json")).contains("\"passed\" : false"));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| second | exec | FAILED |"), md);
        assertTrue(md.contains("**Verdict: FAILED"), md);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("&lt;b&gt;boom&lt;/b&gt;"), "the step's error is shown: " + html);
        assertFalse(html.contains("<b>boom</b>"), "step output must be escaped in the HTML");
    }

    @Test
    void drill_failoverWithBestEffortFailure_exit5_reportListsIt() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Path over = Fixtures.write(tmp, "over.yaml", """
                name: over
                steps:
                  - { id: fence-old, type: exec, command: "exit 3", onFailure: continue }
                  - { id: flip, type: exec, command: "true", dependsOn: [fence-old] }
                """);
        Path back = Fixtures.write(tmp, "back.yaml", """
                name: back
                steps:
                  - { id: flip-back, type: exec, command: "true" }
                """);
        Fixtures.Cli r = Fixtures.cli("drill", "--state-dir", tmp.resolve("state").toString(), "-i", inv.toString(),
                "--failover", over.toString(), "--failback", back.toString(), "--no-readiness")
                .assertExit(ExitCodes.BEST_EFFORT_FAILED);
        assertTrue(r.err().contains("failover completed with best-effort failures"), r.err());
        String md = Files.readString(reportDir().resolve("report.md"));
        assertTrue(md.contains("COMPLETED_WITH_FAILURES"), md);
        assertTrue(md.contains("**Best-effort failures** (steps marked `onFailure: continue`): fence-old: FAILED"), md);
        assertTrue(md.contains("**Verdict: FAILED"), md);
        String html = Files.readString(reportDir().resolve("report.html"));
        assertTrue(html.contains("<strong>Best-effort failures</strong>"), html);
    }
}
