package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real drctl JVM is killed with SIGKILL at several points in the middle of a run, then resumed:
 * every step's side effect must be present exactly once. Also: a second run against the same state
 * directory while the first holds the lock is refused, naming the holder.
 */
class CrashResumeTest {
    static final int STEPS = 4;

    @TempDir
    Path tmp;

    /** Each step appends its line (between two pauses) unless the line is already there. */
    String runbook(Path out) {
        StringBuilder sb = new StringBuilder("name: crashy\nsteps:\n");
        for (int i = 1; i <= STEPS; i++) {
            sb.append("  - id: s").append(i).append('\n')
                    .append("    type: exec\n")
                    .append("    command: \"sleep 0.3; echo s").append(i).append(" >> ").append(out).append("; sleep 0.5\"\n")
                    .append("    unless: \"grep -qx s").append(i).append(' ').append(out).append("\"\n");
            if (i > 1) {
                sb.append("    dependsOn: [s").append(i - 1).append("]\n");
            }
        }
        return sb.toString();
    }

    Process startChild(Path inv, Path rb, Path state) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp, "io.drctl.orchestrator.cli.Main", "run", "--state-dir",
                state.toString(), inv.toString(), rb.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile());
        return pb.start();
    }

    static void awaitJournal(Path state, Predicate<List<String>> condition, Process child) throws Exception {
        Await.run(state, condition, "the kill point", Duration.ofSeconds(30), Optional.of(child));
    }

    @ParameterizedTest(name = "kill point {0}")
    @ValueSource(strings = {
            "action.applying s2 local",   // s2's command just started (line not yet written)
            "out:s3",                     // s3 wrote its line, still inside its command
            "action.applied s3 local",    // s3 applied; killed during its verify or early in s4
            "step.finished s1"            // between steps
    })
    void resume_afterSigkillMidRun_everyStepLineExactlyOnce(String killPoint) throws Exception {
        Path out = tmp.resolve("out.txt");
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Path rb = Fixtures.write(tmp, "rb.yaml", runbook(out));
        Path state = tmp.resolve("state");
        Process child = startChild(inv, rb, state);
        try {
            if (killPoint.startsWith("out:")) {
                String line = killPoint.substring(4);
                awaitJournal(state, b -> {
                    try {
                        return Files.exists(out) && Files.readAllLines(out).contains(line);
                    } catch (IOException e) {
                        return false;
                    }
                }, child);
            } else {
                awaitJournal(state, b -> b.contains(killPoint), child);
            }
        } finally {
            Fixtures.killTree(child);
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        Path runDir = Fixtures.onlyRun(state);
        List<String> before = Fixtures.brief(runDir);
        assertTrue(!before.contains("run.finished"), "the run was interrupted: " + before);

        Fixtures.Cli resumed = Fixtures.cli("resume", runDir.getFileName().toString(), "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);
        List<String> after = Fixtures.brief(runDir);
        assertEquals(List.of("s1", "s2", "s3", "s4"), Files.readAllLines(out), "kill point " + killPoint + ", journal: " + after);
        assertEquals("run.finished", after.get(after.size() - 1));
        assertTrue(after.contains("run.resumed"), after.toString());
    }

    /** Alive and not a zombie (a killed process may wait for its reaper). */
    static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        try {
            String s = Files.readString(stat);
            return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false; // gone while reading
        }
    }

    @Test
    void sigkillOfDrctlAlone_itsCommandEndsWithIt_resumeAppliesAgainWithoutAsking() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Path pidFile = tmp.resolve("cmd.pid");
        Path out = tmp.resolve("out.txt");
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: orphan
                steps:
                  - id: long
                    type: exec
                    command: "if [ -f DIR/second ]; then echo done >> OUT; exit 0; fi; touch DIR/second; echo $$ > PID; sleep 30 & echo $! >> PID; wait"
                    unless: "grep -qx done OUT"
                """.replace("DIR", tmp.toString()).replace("OUT", out.toString()).replace("PID", pidFile.toString()));
        Path state = tmp.resolve("state");
        Process child = startChild(inv, rb, state);
        List<Long> pids = new ArrayList<>();
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
        while (pids.size() < 2 && Instant.now().isBefore(giveUp)) {
            Thread.sleep(20);
            if (Files.exists(pidFile)) {
                pids.clear();
                Files.readAllLines(pidFile).stream().filter(l -> l.matches("\\d+")).map(Long::parseLong).forEach(pids::add);
            }
        }
        assertEquals(2, pids.size(), "the command started: its shell and its sleep");
        assertTrue(running(pids.get(0)) && running(pids.get(1)));
        child.destroyForcibly(); // SIGKILL to the drctl JVM only: nothing kills its children for it
        child.waitFor();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while ((running(pids.get(0)) || running(pids.get(1))) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertTrue(!running(pids.get(0)) && !running(pids.get(1)), "the command ended with drctl: " + pids);

        Path runDir = Fixtures.onlyRun(state);
        Fixtures.Cli resumed = Fixtures.cli("resume", runDir.getFileName().toString(), "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("done"), Files.readAllLines(out));
        List<String> brief = Fixtures.brief(runDir);
        assertTrue(brief.contains("action.fate-unknown long local"), brief.toString());
        assertTrue(Fixtures.journal(runDir).stream().filter(e -> e.event().equals("action.fate-unknown")).findFirst()
                .orElseThrow().str("detail").contains("ended with that drctl"), brief.toString());
    }

    @Test
    void run_whileAnotherRunHoldsTheLock_refusesNamingTheHolder() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Path out = tmp.resolve("out.txt");
        Path rb = Fixtures.write(tmp, "rb.yaml", runbook(out));
        Path state = tmp.resolve("state");
        Process child = startChild(inv, rb, state);
        try {
            awaitJournal(state, b -> b.contains("step.started s1"), child);
            Fixtures.Cli second = Fixtures.cli(Fixtures.runtime(Map.of("PATH", System.getenv("PATH"))), "run", "--state-dir",
                    state.toString(), inv.toString(), rb.toString()).assertExit(ExitCodes.REFUSED);
            String runId = Fixtures.onlyRun(state).getFileName().toString();
            assertTrue(second.err().contains("pid=" + child.pid()), second.err());
            assertTrue(second.err().contains("run=" + runId), second.err());
            assertTrue(second.err().contains("user=") && second.err().contains("host=") && second.err().contains("since="),
                    second.err());
            Fixtures.Cli resume = Fixtures.cli("resume", runId, "--state-dir", state.toString());
            assertEquals(ExitCodes.REFUSED, resume.code(), "resume is refused too: " + resume.all());
        } finally {
            Fixtures.killTree(child);
        }
    }

    static String path(File f) {
        return f.getAbsolutePath();
    }
}
