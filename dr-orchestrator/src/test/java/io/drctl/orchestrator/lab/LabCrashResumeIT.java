package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import io.drctl.orchestrator.Await;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The orchestrator machine "crashes" (SIGKILL of the drctl JVM and everything it started) in the
 * middle of a real failover on the lab; {@code drctl resume} then finishes it. The outcome is read
 * from outside: BIND's answers, the new primary, the fence, the Configuration Server's greeting.
 */
class LabCrashResumeIT extends LabScenario {

    @TempDir
    Path tmp;

    @BeforeAll
    static void freshLab() {
        assumeLab();
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {
            "action.applying promote-db",   // the promotion was sent, or not, when the machine died
            "action.applied unfence-new",   // between two steps
            "action.applying flip-dns"})    // the UPDATE may or may not have reached BIND
    void failover_killedMidRun_resumeCompletesIt(String killPoint) throws Exception {
        Lab.fresh();
        Path state = tmp.resolve("state");
        Path runbook = Lab.repoRoot().resolve("runbooks/full-failover.yaml");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp, "io.drctl.orchestrator.cli.Main", "run", "--state-dir",
                state.toString(), "-i", inventory(), runbook.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("child.log").toFile());
        Process child = pb.start();

        Path runDir = awaitJournal(state, killPoint, child);
        Fixtures.killTree(child);
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        List<String> before = Fixtures.brief(runDir);
        assertTrue(before.stream().noneMatch(l -> l.startsWith("run.finished")), "killed before the run finished: " + before);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                // --yes: an action cut off while applying on another host has an unknown fate; resume re-probes it
                // and, unless the probe shows it done, asks before applying again
                "resume", runDir.getFileName().toString(), "--state-dir", state.toString(), "--yes");
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, code, "resume after a kill at " + killPoint + ":\n" + printed);

        assertEquals(Optional.of("10.77.2.10"), Lab.lookupAtBind("cfgmaster"));
        assertEquals(Optional.of("10.77.2.30"), Lab.lookupAtBind("configdb"));
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R2_MFWK_P, "10.77.1.30", Lab.DBMS_PORT), "old DBMS fenced");
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R2_MFWK_P, "10.77.2.30", Lab.DBMS_PORT), "new DBMS open");
        String greeting = LabCli.greeting(LabHost.R2_APP_P, "10.77.2.10");
        assertEquals("CS OK db=10.77.2.30", greeting);
        List<String> journal = Fixtures.brief(runDir);
        assertTrue(journal.contains("run.resumed"), journal.toString());
        if (killPoint.startsWith("action.applying")) {
            String step = killPoint.substring("action.applying ".length());
            assertTrue(journal.stream().anyMatch(l -> l.startsWith("action.fate-unknown " + step)),
                    "the cut-off apply is journaled as of unknown fate: " + journal);
        }
        assertEquals(1, journal.stream().filter(l -> l.equals("run.finished")).count(), journal.toString());
    }

    static Path awaitJournal(Path state, String prefix, Process child) throws Exception {
        return Await.run(state, brief -> brief.stream().anyMatch(l -> l.startsWith(prefix)), "the kill point " + prefix,
                Duration.ofSeconds(90), Optional.of(child), Duration.ofMillis(5)); // flip-dns applies in ~20 ms
    }
}
