package io.drctl.orchestrator;

import static io.drctl.orchestrator.ValidateTest.assertLine;
import static io.drctl.orchestrator.ValidateTest.lineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Shipped runbooks fit any inventory of the documented shape: records are chosen by group, regions by role,
 * and a service's greeting is the inventory's fact. An inventory whose names are nothing like drctl's
 * validates and plans with the shipped runbooks unchanged; bad site facts are located errors before any host
 * is touched.
 */
class SiteFactsTest extends ExampleInventoryCase {
    /** The example inventory renamed throughout: other regions, hosts and records; no region roles. */
    String foreignSite() throws IOException {
        return Files.readString(EXAMPLE)
                .replace("    role: primary\n", "").replace("    role: dr\n", "")
                .replace("region1", "dc-north").replace("region2", "dc-south")
                .replace("mfwk-p", "confserv-a").replace("mfwk-b", "confserv-b")
                .replace("cfgmaster-bk:", "csmaster-backup:").replace("cfgmaster:", "csmaster:").replace("configdb:", "cfgdb:");
    }

    Path inventory(String text) throws IOException {
        return Fixtures.write(tmp, "inv.yaml", text);
    }

    @Test
    void shippedRunbooks_validateAndPlanUnchanged_onAnInventoryWithOtherNames() throws Exception {
        Path inv = inventory(foreignSite());
        Fixtures.Cli v = Fixtures.cli("validate", inv.toString(), runbook("full-failover.yaml").toString(),
                runbook("failback.yaml").toString(), runbook("readiness.yaml").toString(), runbook("preflight.yaml").toString(),
                runbook("partial-failover-dbms.yaml").toString(), runbook("partial-failover-framework.yaml").toString())
                .assertExit(ExitCodes.OK);
        Fixtures.Cli p = Fixtures.cli("plan", "--offline", "-i", inv.toString(), runbook("full-failover.yaml").toString())
                .assertExit(ExitCodes.OK);
        // without roles the first region is the primary one; the records of the groups, by the site's names
        assertTrue(p.out().contains("params: {from=dc-north, to=dc-south}"), p.out());
        assertTrue(p.out().contains("csmaster.cc.example.com. 192.0.2.10 -> 198.51.100.10"), p.out());
        assertTrue(p.out().contains("csmaster-backup.cc.example.com. 192.0.2.11 -> 198.51.100.11"), p.out());
        assertTrue(p.out().contains("cfgdb.cc.example.com. 192.0.2.30 -> 198.51.100.30"), p.out());
        // the Configuration Server check is a TCP connect: the example declares no greeting
        assertTrue(p.out().contains("wait until 198.51.100.10:2020 accepts TCP (within 300s)"), p.out());
        assertFalse(p.out().contains("greets"), p.out());
        Fixtures.Cli back = Fixtures.cli("plan", "--offline", "-i", inv.toString(), runbook("failback.yaml").toString(),
                "-p", "reseedCommand=/bin/true", "-p", "reseedCheck=/bin/false").assertExit(ExitCodes.OK);
        assertTrue(back.out().contains("params: {from=dc-south, to=dc-north"), back.out());
    }

    @Test
    void regionRoles_declaredRolesWinOverFileOrder() throws Exception {
        String text = Files.readString(EXAMPLE).replace("    role: primary\n", "    role: dr\n")
                .replaceFirst("    role: dr\n    subnets:\n      framework: 198", "    role: primary\n    subnets:\n      framework: 198");
        Fixtures.Cli p = Fixtures.cli("plan", "--offline", "-i", inventory(text).toString(), runbook("full-failover.yaml").toString())
                .assertExit(ExitCodes.OK);
        assertTrue(p.out().contains("params: {from=region2, to=region1}"), p.out());
    }

    @Test
    void recordGroupSelectingNothing_locatedWithTheGroupsTheInventoryDeclares() throws Exception {
        Path rb = writeSteps("""
                  - { id: flip, type: dns.update, records: [group=config-servers], to: region2 }
                  - { id: gone, type: dns.verify, records: [group=nothing], to: region2 }
                """);
        Fixtures.Cli v = validate(EXAMPLE, rb).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "rb.yaml", 3, "record group `config-servers` selects no record of the inventory", "did you mean `group=config-server`?");
        assertLine(v.err(), "rb.yaml", 4, "record group `nothing` selects no record", "groups the inventory declares: config-server, dbms");
    }

    @Test
    void regionParamNamingNoRegion_andFromEqualTo_locatedBeforeAnyHost() throws Exception {
        Fixtures.Cli none = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), runbook("full-failover.yaml").toString(),
                "-p", "to=region3").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(none.err().contains("parameter `to` = 'region3' is not a region of the inventory"), none.err());
        assertTrue(none.err().contains("regions: region1, region2"), none.err());
        Fixtures.Cli same = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), runbook("full-failover.yaml").toString(),
                "-p", "from=region2").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(same.err().contains("parameters `from` and `to` are both 'region2'; they must differ"), same.err());
        Fixtures.Cli role = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), runbook("full-failover.yaml").toString(),
                "-p", "to=@standby").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(role.err().contains("parameter `to` = '@standby' names no region of the inventory"), role.err());
        // one region only: there is no DR region to default to
        String oneRegion = Files.readString(EXAMPLE);
        oneRegion = oneRegion.substring(0, oneRegion.indexOf("  region2:\n")) + oneRegion.substring(oneRegion.indexOf("\nrecords:"));
        oneRegion = oneRegion.replaceAll(", region2: [a-z-]+", "").replaceAll(",\\s+region2: [a-z-]+", "");
        Fixtures.Cli lone = Fixtures.cli("plan", "--offline", "-i", inventory(oneRegion).toString(), runbook("full-failover.yaml").toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(lone.err().contains("parameter `to` = '@dr' names no region of the inventory"), lone.err());
        for (Fixtures.Cli c : new Fixtures.Cli[] {none, same, role, lone}) {
            assertFalse(c.all().contains("internal error") || c.all().contains("\tat "), c.all());
        }
    }

    @Test
    void badSiteFacts_located() throws Exception {
        String text = Files.readString(EXAMPLE)
                .replace("  configServer: 2020 ", "  configServer: { port: 2020, expect: \"(CS OK\" } ")
                .replace("    role: dr\n", "    role: primary\n")
                .replace("cfgmaster:    { groups: [config-server]", "cfgmaster:    { groups: [\"config server\"]");
        Path inv = inventory(text);
        Fixtures.Cli v = validate(inv).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "inv.yaml", lineOf(text, "expect: \"(CS OK\""), "port `configServer`: `expect` is not a valid regular expression");
        assertLine(v.err(), "inv.yaml", lineOf(text, "  region2:"), "regions region1 and region2 both declare `role: primary`");
        assertLine(v.err(), "inv.yaml", lineOf(text, "config server"), "record `cfgmaster`: group name 'config server' is not a safe name");
    }

    @Test
    void commandDbms_validatesWithTheShippedRunbooks_andABadTemplateIsLocated() throws Exception {
        String good = Files.readString(EXAMPLE).replace(
                "db: { kind: postgresql, version: 15, dataDir: /var/lib/postgresql/15/main, osUser: postgres, replicationUser: replicator }\n  region2",
                "db: { kind: command, role: \"sqlcmd -S {host},{port} -Q 'SELECT role'\", primary: '^PRIMARY$', replica: '^SECONDARY$',"
                        + " promote: \"sqlcmd -S {host},{port} -Q 'ALTER AVAILABILITY GROUP ag1 FAILOVER'\" }\n  region2");
        assertTrue(good.contains("kind: command"), "the example's region-1 db line was found");
        Fixtures.Cli v = Fixtures.cli("validate", inventory(good).toString(), runbook("full-failover.yaml").toString())
                .assertExit(ExitCodes.OK);
        String bad = good.replace("primary: '^PRIMARY$'", "primary: '^(PRIMARY$'").replace("{host},{port}", "{host},{portt}");
        Fixtures.Cli b = Fixtures.cli("validate", inventory(bad).toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(b.err().contains("db (kind: command): "), b.err());
        assertFalse(b.all().contains("\tat "), b.all());
    }

    @Test
    void waitTcp_takesTheGreetingFromTheInventoryPort_andIsATcpConnectWithoutOne() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!silent.isClosed()) {
                    try (Socket s = silent.accept()) {
                        s.getOutputStream().write("BINARY\u0001\n".getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            String inv = """
                    name: local
                    ports:
                      cs: %d
                      greeter: { port: %d, expect: "^CS OK" }
                    regions:
                      r1:
                        hosts:
                          cs1: { address: 127.0.0.1, roles: [framework] }
                    """.formatted(silent.getLocalPort(), silent.getLocalPort());
            Path invFile = inventory(inv);
            Path rb = writeSteps("""
                      - { id: plain, type: wait.tcp, hosts: "role=framework", port: cs, within: 2s }
                      - { id: greeted, type: wait.tcp, hosts: "role=framework", port: greeter, within: 2s, interval: 200ms, dependsOn: [plain] }
                    """);
            Fixtures.Cli run = Fixtures.cli("run", "-i", invFile.toString(), rb.toString(), "--state-dir", tmp.resolve("state").toString(), "--yes");
            // the plain port accepts: done; the greeting port's service says BINARY, not "CS OK": the step fails saying so
            assertEquals(ExitCodes.STEP_FAILED, run.code(), run.all());
            assertTrue(run.all().contains("greeted 'BINARY"), run.all());
            assertTrue(run.all().contains("expected /^CS OK/"), run.all());
        }
    }
}
