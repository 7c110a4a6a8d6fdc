package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Safe fault injection on the lab: {@code drctl drill --assume-lost region1/dbms --mode forced} passes (the runbook
 * copes with losing region 1's DBMS), its report names the fault and what was skipped because of it, and region 1's
 * DBMS host saw no SSH connection while the failover ran (its sshd logs every connection: {@code LogLevel VERBOSE}
 * in {@code lab/lib/hosts.sh}). Readiness before, the completion of the failover once the host is back (fence-old),
 * the failback and the final readiness do contact it; the check covers the failover's own window, from its start to
 * its first {@code run.finished}, read from its journal.
 */
class AssumeLostDrillLabIT extends LabScenario {
    private static final long SAMPLE_MS = 50;

    /** One look at the sshd log: when, and how many connections it had logged by then. */
    record Sample(Instant at, long connections) {
    }

    static Path sshdLog(LabHost h) {
        return Lab.stateDir().resolve("hosts").resolve(h.id()).resolve("sshd.log");
    }

    static long connections(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("Connection from")).count() : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void drill_assumeLostRegion1Dbms_forced_passes_reportNamesFaultAndSkips_hostNeverContacted() throws Exception {
        Path log = sshdLog(LabHost.R1_DBMS);
        List<Sample> samples = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                samples.add(new Sample(Instant.now(), connections(log)));
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        String reseed = Lab.repoRoot().resolve("lab/db-reseed").toString();
        Cli c;
        try {
            c = drctl("drill", "-i", inventory(), "--yes", "--mode", "forced", "--assume-lost", "region1/dbms",
                    "--failover", LabCli.runbook("full-failover.yaml"), "--failback", LabCli.runbook("failback.yaml"),
                    "--readiness", LabCli.runbook("readiness.yaml"),
                    "-p", "reseedCommand=" + reseed, "-p", "reseedCheck=" + reseed + " --check");
        } finally {
            done.set(true);
            watcher.join();
        }
        assertEquals(0, c.exit(), "drill failed:\n" + c.out() + c.err());
        assertTrue(c.out().contains("PASSED: RTO "), c.out());
        assertTrue(c.out().contains("assumed lost during the failover: region1/dbms"), c.out());

        Path dir = Fixtures.onlyDrill(stateDir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("## Injected faults"), md);
        assertTrue(md.contains("- region1/dbms: hosts [region1/dbms]"), md);
        assertTrue(md.contains("- fence-old region1/dbms: ssh to region1/dbms not done (region1/dbms)"), md);
        assertTrue(md.contains("tcp probe from region1/mfwk-p to region1/dbms not done (region1/dbms)"),
                "the single-DBMS rule probed no connection to the lost DBMS: " + md);
        assertTrue(md.contains("- failover completed with region1/dbms back (resume of "), md);
        assertTrue(md.matches("(?s).*- failover completed with region1/dbms back .*\\): SUCCEEDED\n.*"),
                "once back, region1/dbms is fenced by the failover's fence-old before the failback: " + md);
        assertTrue(md.contains("**Final state**: verified: region1 serves again"), md);
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<h2>Injected faults</h2>"));

        // the failover's window, from its journal: no new connection at region1's DBMS in it
        Path failoverRun = runOf("full-failover");
        List<JournalEvent> events = Journal.read(failoverRun.resolve(Journal.FILE));
        Instant started = events.get(0).at();
        // the failover's own end: the drill resumes it later with the fault lifted (that part contacts the host)
        Instant finished = events.stream().filter(e -> e.event().equals("run.finished")).findFirst().orElseThrow().at();
        assertTrue(events.stream().anyMatch(e -> e.event().equals("run.resumed") && e.data().containsKey("faultsLifted")),
                "the failover was completed with the fault lifted");
        // one-dbms sees the returned, still unfenced region1/dbms before fence-old fences it: overridden, with the reason
        assertTrue(events.stream().anyMatch(e -> e.event().equals("rule.overridden")
                && String.valueOf(e.data()).contains("assumed lost during the failover and back untouched")), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.event().equals("fault.injected")), "fault journaled");
        List<Sample> inWindow = samples.stream().filter(x -> x.at().isAfter(started) && x.at().isBefore(finished)).toList();
        assertTrue(inWindow.size() >= 2, "the watcher saw the failover (" + samples.size() + " samples)");
        assertTrue(inWindow.get(0).connections() >= 0, "sshd log readable: " + log);
        assertEquals(inWindow.get(0).connections(), inWindow.get(inWindow.size() - 1).connections(),
                "region1/dbms's sshd logged a connection while the failover ran: " + inWindow);
        assertEquals(0, Lab.check().exitCode(), "the drill leaves the lab in its normal state:\n" + Lab.check().stdout());
    }

    /** The directory of the state dir's run of {@code runbook}. */
    static Path runOf(String runbook) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var s = Files.list(stateDir.resolve("runs"))) {
            for (Path run : s.toList()) {
                List<JournalEvent> ev = Journal.read(run.resolve(Journal.FILE));
                if (!ev.isEmpty() && runbook.equals(ev.get(0).data().get("runbook"))) {
                    found.add(run);
                }
            }
        }
        assertEquals(1, found.size(), "one run of " + runbook + ": " + found);
        return found.get(0);
    }
}
