package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped runbooks, unchanged, on a site drctl did not build: {@code lab/up --site manual} leaves the lab as
 * the reference architecture's manual procedure leaves a site (untagged per-host REJECT rules behind an
 * ESTABLISHED,RELATED ACCEPT on the dormant DBMS, regions dc-north/dc-south, records csmaster,
 * csmaster-backup and cfgdb, PostgreSQL's socket in /run/pg-cfgdb, an nscd proxy and a dnsmasq proxy per
 * region, two DNS servers). Only the inventory differs. Every judgement is made from outside: both DNS servers'
 * answers, each proxy host's resolver, the Configuration Server stand-ins' greetings, TCP connections from
 * every Framework host, the ruleset text.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManualSiteIT extends LabScenario {

    static final String NORTH = "dc-north";
    static final String SOUTH = "dc-south";
    static final List<String> CS_RECORDS = List.of("csmaster", "csmaster-backup");
    static final String DB_RECORD = "cfgdb";
    static final List<LabHost> FRAMEWORK = List.of(LabHost.R1_MFWK_P, LabHost.R1_MFWK_B, LabHost.R2_MFWK_P, LabHost.R2_MFWK_B);
    static final List<LabHost> PROXIES = List.of(LabHost.R1_APP_P, LabHost.R1_APP_B, LabHost.R2_APP_P, LabHost.R2_APP_B);

    @TempDir
    static Path work;

    /** The dormant DBMS's ruleset as the site left it. */
    static String siteRules;

    @BeforeAll
    static void freshLab() {
        assumeLab();
        Lab.fresh(Lab.MANUAL_SITE);
        siteRules = rules(LabHost.R2_DBMS);
        assertTrue(siteRules.contains("-A INPUT -s 10.77.1.10/32 -p tcp -m tcp --dport 5432 -j REJECT"), siteRules);
        assertTrue(siteRules.contains("-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT"), siteRules);
    }

    static String rules(LabHost h) {
        return Lab.exec(h, "iptables -w -S INPUT").stdout();
    }

    static String reseed() {
        return "reseedCommand=" + Lab.repoRoot().resolve("lab/db-reseed");
    }

    static String reseedCheck() {
        return "reseedCheck=" + Lab.repoRoot().resolve("lab/db-reseed") + " --check";
    }

    /** The A value {@code server} answers for {@code name}, read with dig from the orchestrator. */
    static String answer(String server, String name) {
        CommandResult r = Lab.exec(LabHost.DNS, "dig +short +time=2 +tries=1 @" + server + " " + name + ".cc.lab.test. A");
        return r.stdout().strip();
    }

    static String resolvedOn(LabHost proxy, String name) {
        return Lab.exec(proxy, "getent ahostsv4 " + name + ".cc.lab.test | awk 'NR==1 {print $1}'").stdout().strip();
    }

    /** The site serves from {@code region} (1 or 2), judged from outside. */
    static void servesFrom(int region) {
        int other = 3 - region;
        for (String server : List.of("10.77.0.53", "10.77.0.54")) {
            assertEquals("10.77." + region + ".10", answer(server, "csmaster"), "DNS server " + server);
            assertEquals("10.77." + region + ".11", answer(server, "csmaster-backup"), "DNS server " + server);
            assertEquals("10.77." + region + ".30", answer(server, DB_RECORD), "DNS server " + server);
        }
        for (LabHost p : PROXIES) {
            assertEquals("10.77." + region + ".10", resolvedOn(p, "csmaster"), "proxy " + p.id() + " (its own cache)");
            assertEquals("10.77." + region + ".11", resolvedOn(p, "csmaster-backup"), "proxy " + p.id());
        }
        for (LabHost fw : FRAMEWORK) {
            if (!Lab.isRunning(fw)) {
                continue;
            }
            assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(fw, "10.77." + other + ".30", 5432), fw.id() + " -> the old DBMS");
            assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(fw, "10.77." + region + ".30", 5432), fw.id() + " -> the serving DBMS");
        }
        for (LabHost cs : region == 1 ? List.of(LabHost.R1_MFWK_P, LabHost.R1_MFWK_B) : List.of(LabHost.R2_MFWK_P, LabHost.R2_MFWK_B)) {
            assertEquals("CS OK db=10.77." + region + ".30", LabCli.greeting(LabHost.R1_APP_P, cs.address()),
                    "the Configuration Server stand-in on " + cs.id() + " reaches only the serving DBMS");
        }
    }

    @Test
    @Order(1)
    void plan_namesTheSitesRulesItWillRemove_andReadinessSaysTheFenceWouldNotSurviveAReboot() {
        Cli plan = drctl("plan", "-i", inventory(), LabCli.runbook("full-failover.yaml"));
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().contains("params: {from=" + NORTH + ", to=" + SOUTH + "}"), plan.out());
        assertTrue(plan.out().contains("fenced by 4 rule(s) drctl did not write"), plan.out());
        assertTrue(plan.out().contains("will remove 4 rule(s): [not drctl's] -A INPUT -s 10.77.1.10/32 -p tcp -m tcp --dport 5432 -j REJECT"),
                plan.out());
        Cli ready = drctl("readiness", "-i", inventory(), LabCli.runbook("readiness.yaml"));
        assertEquals(0, ready.exit(), ready.out() + ready.err());
        String journal = readAll(stateDir);
        assertTrue(journal.contains("a reboot loses the live rules"), "readiness says the fence is not persisted");
    }

    @Test
    @Order(2)
    void rollbackOfAnUnfence_restoresTheSitesRulesByteForByte() throws Exception {
        Path rb = southDbms("unfence");
        Cli run = drctl("run", "-i", inventory(), rb.toString(), "--yes");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(!rules(LabHost.R2_DBMS).contains("REJECT"), "every rule of the site's fence is gone: " + rules(LabHost.R2_DBMS));
        assertTrue(run.out().contains("unfence dc-south/pgcfg: removing (not drctl's): -A INPUT -s 10.77.2.11/32 -p tcp -m tcp --dport 5432 -j REJECT"),
                "the run's output says which rules of the site it removes, without --verbose: " + run.out());
        assertTrue(readAll(stateDir).contains("-A INPUT -s 10.77.2.11/32 -p tcp -m tcp --dport 5432 -j REJECT"),
                "the journal keeps the exact text of the removed rules");
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.2.30", 5432));
        String runId = lastRun("unfence-south");
        Cli back = drctl("rollback", runId);
        assertEquals(0, back.exit(), back.out() + back.err());
        assertEquals(siteRules, rules(LabHost.R2_DBMS), "the site's rules, byte for byte, in their places");
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.2.30", 5432));

        // unfence again, then a fence puts the site's rules back; rolling that fence back leaves the host open (as before
        // the fence), and the next fence restores them again
        assertEquals(0, drctl("run", "-i", inventory(), rb.toString(), "--yes").exit());
        Path fenceRb = southDbms("fence");
        Cli fence = drctl("run", "-i", inventory(), fenceRb.toString(), "--yes");
        assertEquals(0, fence.exit(), fence.out() + fence.err());
        assertTrue(rules(LabHost.R2_DBMS).contains("-A INPUT -s 10.77.2.11/32 -p tcp -m tcp --dport 5432 -j REJECT"), rules(LabHost.R2_DBMS));
        Cli undo = drctl("rollback", lastRun("fence-south"));
        assertEquals(0, undo.exit(), undo.out() + undo.err());
        assertTrue(!rules(LabHost.R2_DBMS).contains("REJECT"), "a rolled-back fence leaves the host as it found it: " + rules(LabHost.R2_DBMS));
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.2.30", 5432));
        assertEquals(0, drctl("run", "-i", inventory(), fenceRb.toString(), "--yes").exit());
        assertTrue(rules(LabHost.R2_DBMS).contains("-A INPUT -s 10.77.1.10/32 -p tcp -m tcp --dport 5432 -j REJECT"),
                "the site's rules are kept for the next fence: " + rules(LabHost.R2_DBMS));
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.2.30", 5432));
    }

    @Test
    @Order(3)
    void shippedFullFailover_unchanged_failsOver_andCutsTheOldPrimarysLiveConnections() throws Exception {
        servesFrom(1);
        try (HeldConnection held = HeldConnection.open(LabHost.R1_MFWK_P, "10.77.1.30", 5432)) {
            assertEquals("alive", held.poke(), "the connection works before the fence");
            Cli run = drctl("run", "-i", inventory(), LabCli.runbook("full-failover.yaml"), "--yes");
            assertEquals(0, run.exit(), run.out() + run.err());
            // measured just before promotion from the old primary's pg_stat_replication: nothing was in flight
            assertTrue(java.util.regex.Pattern.compile("promote-db dc-south/pgcfg: RPO 0 bytes, ").matcher(run.out()).find(), run.out());
            assertTrue(held.poke().startsWith("cut"), "a connection held open to the old DBMS is cut by the fence");
        }
        servesFrom(2);
        assertEquals("f", inRecovery(LabHost.R2_DBMS), "dc-south's DBMS is the primary");
    }

    @Test
    @Order(4)
    void shippedFailback_unchanged_returnsToTheSitesOwnState() {
        // no re-seed script: drctl's db.rejoin makes each former primary a replica (pg_rewind: the lab has wal_log_hints)
        Cli run = drctl("run", "-i", inventory(), LabCli.runbook("failback.yaml"), "--yes");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("restoring the site's rule (removed by an earlier unfence): -A INPUT -s 10.77.1.10/32"), run.out());
        servesFrom(1);
        assertEquals("t", inRecovery(LabHost.R2_DBMS), "dc-south's DBMS is a replica again");
        assertEquals("streaming 10.77.1.30", Lab.exec(LabHost.R2_DBMS, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt"
                + " -h /run/pg-cfgdb -U postgres -c \"SELECT status || ' ' || sender_host FROM pg_stat_wal_receiver\"").stdout().strip(),
                "dc-south's DBMS streams from dc-north's");
        String marker = Lab.exec(LabHost.R1_DBMS, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt -h /run/pg-cfgdb -U postgres"
                + " -c 'CREATE TABLE IF NOT EXISTS it_rejoin (v text)' -c \"INSERT INTO it_rejoin VALUES (md5(random()::text)) RETURNING v\"")
                .stdout().strip();
        boolean arrived = false;
        for (int i = 0; i < 50 && !arrived; i++) {
            arrived = Lab.exec(LabHost.R2_DBMS, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt -h /run/pg-cfgdb -U postgres"
                    + " -c \"SELECT count(*) FROM it_rejoin WHERE v = '" + marker + "'\"").stdout().strip().equals("1");
            if (!arrived) {
                sleep(200);
            }
        }
        assertTrue(arrived, "a row written on the primary appears on the rejoined replica");
        assertEquals(siteRules, rules(LabHost.R2_DBMS), "the site's own fence is back, byte for byte");
        assertEquals("stopped", Lab.isRunning(LabHost.R2_MFWK_P) ? "running" : "stopped", "dc-south's Framework is dormant again");
    }

    @Test
    @Order(5)
    void shippedDrill_unchanged_passes() throws Exception {
        Cli drill = drctl("drill", "-i", inventory(), "--yes",
                "--failover", LabCli.runbook("full-failover.yaml"), "--failback", LabCli.runbook("failback.yaml"),
                "--readiness", LabCli.runbook("readiness.yaml"), "-p", reseed(), "-p", reseedCheck()); // the site's own re-seed script
        assertEquals(0, drill.exit(), drill.out() + drill.err());
        assertTrue(drill.out().contains("failover " + NORTH + " -> " + SOUTH), drill.out());
        assertTrue(drill.out().contains("PASSED"), drill.out());
        java.util.regex.Matcher report = java.util.regex.Pattern.compile("report: (\\S+)/report\\.html").matcher(drill.out());
        assertTrue(report.find(), drill.out());
        String md = Files.readString(Path.of(report.group(1), "report.md"));
        assertTrue(md.contains("**Recovery point**: promote-db dc-south/pgcfg: RPO 0 bytes"), md);
        assertTrue(md.contains("**Recovery point**: promote-target dc-north/pgcfg: RPO 0 bytes"), md);
        servesFrom(1);
        assertEquals(siteRules, rules(LabHost.R2_DBMS));
    }

    @Test
    @Order(6)
    void declaredResolverNotRunningAtFlushTime_clearErrorAtTheStep() throws Exception {
        Lab.exec(LabHost.R2_APP_P, "nscd -K; for i in $(seq 1 50); do [ -S /run/nscd/socket ] || break; sleep 0.1; done; rm -f /run/nscd/socket");
        Path rb = Files.writeString(work.resolve("flush.yaml"), """
                name: flush-south
                steps:
                  - id: flush
                    type: dns.flush-cache
                    hosts: "region=dc-south role=cs-proxy"
                    records: [group=config-server]
                    to: dc-north
                    within: 5s
                """);
        Cli run = drctl("run", "-i", inventory(), rb.toString(), "--yes");
        assertEquals(3, run.exit(), run.out() + run.err());
        assertTrue((run.out() + run.err()).contains("no nscd of this host"), run.out() + run.err());
        assertTrue((run.out() + run.err()).contains("dc-south/proxy-1"), run.out() + run.err());
    }

    /**
     * A runbook {@code ACTION-south}: one {@code firewall.ACTION} ({@code fence}, {@code unfence}) of dc-south's DBMS
     * port against the Framework.
     */
    static Path southDbms(String action) throws IOException {
        return Files.writeString(work.resolve(action + ".yaml"), """
                name: ACTION-south
                steps:
                  - id: ACTION
                    type: firewall.ACTION
                    hosts: "region=dc-south role=dbms"
                    port: dbms
                    from: [framework]
                """.replace("ACTION", action));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String inRecovery(LabHost dbms) {
        return Lab.exec(dbms, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt -h /run/pg-cfgdb "
                + "-p 5432 -U postgres -c 'SELECT pg_is_in_recovery()'").stdout().strip();
    }

    static String lastRun(String runbookName) throws IOException {
        try (var s = Files.list(stateDir.resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("-" + runbookName + "-")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Every journal under {@code dir}, concatenated. */
    static String readAll(Path dir) {
        try (var s = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path p : s.filter(x -> x.getFileName().toString().equals("journal.jsonl")).toList()) {
                all.append(Files.readString(p));
            }
            return all.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A TCP connection held open from a lab host by a small python3 process on it: {@link #poke} sends a PostgreSQL
     * SSLRequest and reads the one-byte answer ("alive") or the error ("cut ...").
     */
    static final class HeldConnection implements AutoCloseable {
        static final String PY = """
                import socket, sys
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
                print("connected", flush=True)
                for line in sys.stdin:
                    try:
                        s.sendall(bytes([0, 0, 0, 8, 4, 210, 22, 47]))
                        b = s.recv(1)
                        print("alive" if b else "cut: closed", flush=True)
                        if b:
                            s.close()
                            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
                    except OSError as e:
                        print("cut: " + type(e).__name__, flush=True)
                """;
        final Process process;
        final BufferedReader out;
        final Writer in;

        private HeldConnection(Process p) {
            this.process = p;
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        }

        static HeldConnection open(LabHost from, String address, int port) throws IOException {
            Process p = new ProcessBuilder(Lab.repoRoot().resolve("lab/exec").toString(), from.id(), "python3", "-c", PY, address,
                    String.valueOf(port)).redirectErrorStream(true).start();
            HeldConnection c = new HeldConnection(p);
            String first = c.out.readLine();
            assertEquals("connected", first, "python3 on " + from.id() + " connects to " + address + ":" + port);
            return c;
        }

        /** One request on the held connection (a fresh one replaces it when it answered, so each poke tests the path). */
        String poke() throws IOException {
            in.write("poke\n");
            in.flush();
            String line = out.readLine();
            return line == null ? "cut: process ended" : line;
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
