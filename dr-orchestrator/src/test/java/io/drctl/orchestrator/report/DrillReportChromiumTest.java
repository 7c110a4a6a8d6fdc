package io.drctl.orchestrator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.steps.dns.ZoneServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill of a realistic failover on loopback (fence, flip, a real DNS server checked by dns.verify, a
 * Configuration Server stand-in greeting on TCP checked by wait.tcp, safety rules between steps, one of them
 * overridden), its report opened in headless Chromium (Debian {@code chromium}): the verdict, one timeline bar per
 * step and the evidence rows are asserted from the DOM Chromium rendered, and the page prints to an A4 PDF.
 */
public class DrillReportChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long CHROMIUM_TIMEOUT_S = 90;

    @TempDir
    Path tmp;

    ZoneServer ns;
    ServerSocket configServer;
    /** The inventory's TSIG key (keyEnv): the Configuration Server stand-in leaks its secret part in its greeting. */
    final String secretPart = java.util.Base64.getEncoder().encodeToString(new java.security.SecureRandom().generateSeed(32));
    Thread greeter;

    @BeforeEach
    void start() throws Exception {
        ns = new ZoneServer("cc.test.", Optional.empty(), Clock.systemUTC());
        ns.put("svc", 60, "127.0.0.3"); // the record already points at region2, as after the flip
        configServer = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.3"));
        greeter = new Thread(() -> {
            while (!configServer.isClosed()) {
                try (Socket s = configServer.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(("CS OK ready key=" + secretPart + "\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "config-server-stand-in");
        greeter.start();
    }

    @AfterEach
    void stop() throws Exception {
        configServer.close();
        greeter.join(5000);
        ns.close();
    }

    static final String FAILOVER = """
            name: over
            params:
              from: { default: region1 }
              to: { default: region2 }
            rules:
              - { id: nothing-running, type: command, command: "true" }
              - { id: no-marker, type: command, command: "test ! -e DIR/marker || { echo 'DIR/marker exists'; exit 1; }" }
            steps:
              - { id: go, type: approval, message: "fail over from ${from} to ${to}?" }
              - { id: fence-old, type: exec, command: "echo fence ${from} >> OUT", dependsOn: [go] }
              - { id: flip, type: exec, command: "echo flip ${to} >> OUT", dependsOn: [fence-old] }
              - { id: dns-visible, type: dns.verify, records: [svc], to: "${to}", within: 5s, interval: 1s, dependsOn: [flip] }
              - { id: config-server-up, type: wait.tcp, hosts: "region=${to} role=app", port: svc, within: 5s,
                  dependsOn: [dns-visible] }
            """;

    @Test
    void report_renderedByChromium_showsVerdict_oneBarPerStep_evidenceRows_andPrintsOnA4() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY
                .replace("name: loopback-test", "name: loopback-test\nrto: 5m")
                .replace("port: 53 }", "port: " + ns.port() + " }")
                .replace("ports: { svc: 2020, dbms: 5432 }",
                        "ports: { svc: { port: " + configServer.getLocalPort() + ", expect: \"^CS OK\" }, dbms: 5432 }"));
        Path out = tmp.resolve("out.txt");
        Path over = Fixtures.write(tmp, "over.yaml", FAILOVER.replace("OUT", out.toString()).replace("DIR", tmp.toString()));
        Path back = Fixtures.write(tmp, "back.yaml", LocalDrill.FAILBACK.replace("OUT", out.toString()));
        Files.writeString(tmp.resolve("marker"), "left by the test\n");
        Fixtures.cli(Fixtures.runtime(Map.of("PATH", System.getenv("PATH"), "DRENG_TSIG_KEY",
                        "hmac-sha256:drctl-update:" + secretPart)), "drill", "--state-dir",
                tmp.resolve("state").toString(), "-i", inv.toString(), "--failover", over.toString(), "--failback", back.toString(),
                "--no-readiness", "--yes", "--override-rule", "no-marker", "--reason", "the marker is the test's own")
                .assertExit(ExitCodes.OK);
        Path dir = Fixtures.onlyDrill(tmp.resolve("state"));
        Path html = dir.resolve("report.html");
        String dom = chromium(List.of("--dump-dom", html.toUri().toString()), tmp.resolve("dom.out"));

        // the verdict, as Chromium rendered it
        Matcher verdict = Pattern.compile("<p id=\"verdict\"[^>]*data-verdict=\"([A-Z]+)\"[^>]*>([^<]*)</p>").matcher(dom);
        assertTrue(verdict.find(), () -> "no verdict in " + dom);
        assertEquals("PASSED", verdict.group(1));
        assertTrue(verdict.group(2).startsWith("PASSED: RTO ") && verdict.group(2).endsWith(" against an objective of 5m00s"),
                verdict.group(2));

        // exactly one timeline bar per step, in each phase
        assertEquals(List.of("go", "fence-old", "flip", "dns-visible", "config-server-up", "move-back"),
                all(dom, "data-bar=\"([^\"]+)\""));
        assertEquals(List.of("wait"), all(dom, "<span class=\"([a-z]+)\" data-bar=\"go\""), "the approval is drawn as a wait");
        List<String> approvals = all(dom, "<span data-approval=\"\">([^<]*)</span>");
        assertEquals(1, approvals.size(), approvals.toString());
        assertTrue(approvals.get(0).startsWith("go: approved by tester@testhost at ") && approvals.get(0).contains(" via "),
                approvals.get(0));
        assertEquals(all(dom, "<tr class=\"step\" data-step=\"([^\"]+)\""), all(dom, "data-bar=\"([^\"]+)\""));
        // every gap between steps carries its label; the rules ran in them
        List<String> gapLabels = all(dom, "<td data-gap-label=\"\">([^<]+)</td>");
        assertTrue(gapLabels.size() >= 4, gapLabels.toString());
        assertTrue(gapLabels.stream().allMatch(l -> l.contains("drctl overhead")), gapLabels.toString());
        assertTrue(gapLabels.stream().anyMatch(l -> l.contains("safety rules ")), gapLabels.toString());

        // the evidence: one row per DNS server and record, one per greeting
        List<String> rows = all(dom, "(<tr data-evidence=\"[^\"]+\" data-ok=\"[a-z]+\">.*?</tr>)");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(List.of("drctl", "ns1 (127.0.0.1:" + ns.port() + ") svc.cc.test. A", "[127.0.0.3]", "[127.0.0.3]", "as expected"),
                cells(rows.get(0)));
        assertTrue(rows.get(0).startsWith("<tr data-evidence=\"dns-visible\" data-ok=\"true\">"), rows.get(0));
        String where = "127.0.0.3:" + configServer.getLocalPort();
        assertEquals(List.of("drctl", where, "accepted, greeted 'CS OK ready key=***'", where + " accepts, greets /^CS OK/",
                "as expected"), cells(rows.get(1)), "what was observed, with the secret redacted");
        assertFalse(dom.contains(secretPart), "no secret in the report");

        // what the safety rules saw, once per distinct observation
        List<String> ruleRows = all(dom, "(<tr data-rule-evidence=\"[^\"]+\" data-ok=\"[a-z]+\">.*?</tr>)");
        assertEquals(2, ruleRows.size(), ruleRows.toString());
        // after the read-only dns-visible and config-server-up the rule was not re-run: nothing it reads could change
        assertEquals(List.of("nothing-running", "before the first step, after go, after fence-old, after flip, after dns-visible "
                + "(unchanged since after flip), after config-server-up (unchanged since after flip)", "check command exited 0",
                "holds"), cells(ruleRows.get(0)));
        assertEquals("violated", cells(ruleRows.get(1)).get(3));

        // provenance and figures
        String runbookSha = Provenance(over);
        assertTrue(dom.contains("<code data-prov=\"runbookSha256\">" + runbookSha + "</code>"), "the runbook's hash");
        List<String> overrides = all(dom, "<span data-override=\"\">([^<]*)</span>");
        assertEquals(1, overrides.size(), "one line per override, naming each evaluation point: " + overrides);
        assertTrue(overrides.get(0).startsWith("no-marker: overridden before the first step, after go, after fence-old, after flip, "
                + "after dns-visible, after config-server-up by tester@testhost, reason \"the marker is the test's own\"; the violation: "),
                overrides.get(0));
        String restored = all(dom, "<tr data-figure=\"Time to service restored\"><th>[^<]*</th><td>([^<]*)</td>").get(0);
        assertTrue(restored.endsWith("(failover start → last service-path verification: config-server-up)"), restored);

        // report.json carries what the page shows
        String json = Files.readString(dir.resolve("report.json"));
        for (String f : List.of("report.json", "report.md", "report.html")) {
            assertFalse(Files.readString(dir.resolve(f)).contains(secretPart), "no secret in " + f);
        }
        for (String s : List.of("\"evidence\" : [", "\"observed\" : \"accepted, greeted 'CS OK ready key=***'\"", "\"gaps\" : [",
                "\"runbookSha256\" : \"" + runbookSha + "\"", "\"serviceRestored\" : \"PT", "\"verdict\" : \"PASSED: RTO ",
                "\"Time to service restored\" : ")) {
            assertTrue(json.contains(s), s + " in " + json);
        }

        // prints on A4: 595 x 842 pt
        Path pdf = tmp.resolve("report.pdf");
        chromium(List.of("--no-pdf-header-footer", "--print-to-pdf=" + pdf, html.toUri().toString()), tmp.resolve("pdf.out"));
        assertTrue(Files.size(pdf) > 1000, "a PDF was printed");
        String raw = new String(Files.readAllBytes(pdf), StandardCharsets.ISO_8859_1);
        Matcher box = Pattern.compile("/MediaBox\\s*\\[\\s*0\\s+0\\s+([0-9.]+)\\s+([0-9.]+)\\s*\\]").matcher(raw);
        assertTrue(box.find(), "the PDF names its page size");
        assertEquals(595, Math.round(Double.parseDouble(box.group(1))), box.group());
        assertEquals(842, Math.round(Double.parseDouble(box.group(2))), box.group());
    }

    private static String Provenance(Path file) throws IOException {
        return io.drctl.orchestrator.journal.Provenance.sha256(file);
    }

    /** Runs headless Chromium with {@code args}, bounded by a timeout, killing it (and its children) by PID; returns stdout. */
    public static String chromium(List<String> args, Path output) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium "
                + "(apt-get install -y --no-install-recommends chromium); this test does not skip");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--user-data-dir=" + output.resolveSibling("chromium-profile")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(output.getFileName() + ".err").toFile()).start();
        try {
            boolean done = p.waitFor(CHROMIUM_TIMEOUT_S, TimeUnit.SECONDS);
            assertTrue(done, "chromium did not finish within " + CHROMIUM_TIMEOUT_S + " s");
            assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(output.resolveSibling(output.getFileName() + ".err")));
            return Files.readString(output);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static List<String> all(String dom, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(dom);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The text of each {@code td} of one row. */
    private static List<String> cells(String row) {
        return all(row, "<td[^>]*>([^<]*)</td>").stream().map(c -> c.replace("&gt;", ">").replace("&lt;", "<")
                .replace("&quot;", "\"").replace("&amp;", "&")).toList();
    }
}
