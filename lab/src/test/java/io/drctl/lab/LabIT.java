package io.drctl.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drctl.host.CommandResult;
import io.drctl.host.LocalCommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab against itself: brings it up from nothing, checks it, proves each property the other
 * modules' tests rely on from outside, and tears it down leaving nothing. Needs root (CI runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static boolean torndown;

    @BeforeAll
    static void upFromNothing() {
        assumeTrue(Lab.isRoot(), "the lab needs root; skipped on this non-root machine");
        assertTrue(Lab.isSupported(), "root, but `ip netns` does not work here");
        Lab.down();
        CommandResult up = Lab.up();
        System.out.printf("lab/up from nothing took %.1f s%n", up.elapsed().toMillis() / 1000.0);
        System.out.println(up.stdout());
        CommandResult again = Lab.up();
        System.out.printf("lab/up on a running lab took %.1f s%n", again.elapsed().toMillis() / 1000.0);
    }

    @AfterAll
    static void downAlways() {
        if (Lab.isRoot() && !torndown) {
            Lab.down();
        }
    }

    @Test
    @Order(1)
    void check_afterUp_everyFactOk() {
        CommandResult check = Lab.check();
        System.out.println(check.stdout());
        assertEquals(0, check.exitCode(), check.stdout());
        assertFalse(check.stdout().contains("FAIL"), check.stdout());
    }

    @Test
    @Order(2)
    void inventory_hasTheShapeOfTheExample() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode lab = yaml.readTree(Lab.inventory().toFile());
        JsonNode example = yaml.readTree(Lab.repoRoot().resolve("inventory/example.yaml").toFile());
        assertEquals(keys(example), keys(lab));
        assertEquals(keys(example.get("ssh")), keys(lab.get("ssh")));
        assertEquals(keys(example.get("regions")), keys(lab.get("regions")));
        for (String region : List.of("region1", "region2")) {
            assertEquals(keys(example.at("/regions/" + region + "/hosts")), keys(lab.at("/regions/" + region + "/hosts")));
            for (LabHost h : LabHost.values()) {
                if (h.region().equals(region)) {
                    assertEquals(h.address(), lab.at("/regions/" + region + "/hosts/" + h.inventoryName() + "/address").asText());
                }
            }
        }
        assertEquals(LabHost.R2_MFWK_P.id(), lab.at("/regions/region2/hosts/mfwk-p/vm/id").asText());
        assertEquals("lab", lab.at("/regions/region2/hosts/mfwk-p/vm/provider").asText());
        assertEquals("command", lab.at("/providers/lab/kind").asText());
        assertEquals(Lab.tsigKeyFile().toString(), lab.at("/dns/tsig/keyFile").asText());
        assertEquals(Lab.DNS_SERVER, lab.at("/dns/servers/0/address").asText());
        assertEquals(Lab.ZONE, lab.at("/dns/zone").asText());
        assertTrue(Files.isRegularFile(Path.of(lab.at("/ssh/identityFile").asText())));
        assertTrue(Files.isRegularFile(Path.of(lab.at("/ssh/knownHosts").asText())));
        assertTrue(Files.isDirectory(Path.of(lab.at("/regions/region1/hosts/dbms/db/dataDir").asText())));
    }

    @Test
    @Order(3)
    void fence_fromRegion1Framework_region2DbmsRefusedRegion1DbmsAccepted() {
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT));
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R1_DBMS.address(), Lab.DBMS_PORT));
        // The replica listens; only the Framework subnets are fenced (app host is not in them).
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_APP_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT));
    }

    @Test
    @Order(4)
    void nsupdate_labKeyChangesRecord_wrongKeyRefusedWithBadsig(@TempDir Path tmp) throws Exception {
        String before = Lab.lookupAtBind("cfgmaster-bk").orElseThrow();
        String target = before.equals("10.77.2.11") ? "10.77.1.11" : "10.77.2.11";

        CommandResult ok = nsupdate(Lab.tsigKeyFile(), "cfgmaster-bk", target);
        assertEquals(0, ok.exitCode(), ok.stderr());
        assertEquals(target, Lab.lookupAtBind("cfgmaster-bk").orElseThrow());

        // Same key name and algorithm, different secret: BIND must answer BADSIG and change nothing.
        Path wrong = tmp.resolve("wrong.key");
        CommandResult gen = LocalCommandRunner.local().run("tsig-keygen -a hmac-sha256 " + Lab.TSIG_KEY_NAME, T);
        Files.writeString(wrong, gen.stdout(), StandardCharsets.UTF_8);
        CommandResult bad = nsupdate(wrong, "cfgmaster-bk", before);
        assertNotEquals(0, bad.exitCode());
        assertTrue((bad.stdout() + bad.stderr()).contains("BADSIG"), bad.stdout() + bad.stderr());
        assertEquals(target, Lab.lookupAtBind("cfgmaster-bk").orElseThrow(), "a BADSIG update must change nothing");

        assertEquals(0, nsupdate(Lab.tsigKeyFile(), "cfgmaster-bk", before).exitCode());
        assertEquals(before, Lab.lookupAtBind("cfgmaster-bk").orElseThrow());
    }

    @Test
    @Order(5)
    void appHostCache_servesOldAddressUntilFlushed_onlyThatHostsCache() throws Exception {
        String name = "cfgmaster." + Lab.ZONE;
        String old = Lab.lookupAtBind("cfgmaster").orElseThrow();
        String changed = old.equals("10.77.2.10") ? "10.77.1.10" : "10.77.2.10";
        // Prime both region-1 app hosts' caches through their own resolver configuration.
        assertEquals(old, resolveOn(LabHost.R1_APP_P, name));
        assertEquals(old, resolveOn(LabHost.R1_APP_B, name));
        try {
            assertEquals(0, nsupdate(Lab.tsigKeyFile(), "cfgmaster", changed).exitCode());
            assertEquals(changed, Lab.lookupAtBind("cfgmaster").orElseThrow());
            Thread.sleep((Lab.RECORD_TTL_SECONDS + 1) * 1000L); // past the record's TTL: staleness is the cache's
            assertEquals(old, resolveOn(LabHost.R1_APP_P, name), "app-p must still serve the cached answer");

            CommandResult hup = Lab.exec(LabHost.R1_APP_P, "pkill -HUP -x dnsmasq");
            assertEquals(0, hup.exitCode(), hup.stderr());
            assertEquals(changed, resolveOn(LabHost.R1_APP_P, name), "after SIGHUP app-p resolves the new address");
            assertEquals(old, resolveOn(LabHost.R1_APP_B, name), "app-b's cache was not flushed");
        } finally {
            nsupdate(Lab.tsigKeyFile(), "cfgmaster", old);
            Lab.exec(LabHost.R1_APP_P, "pkill -HUP -x dnsmasq");
            Lab.exec(LabHost.R1_APP_B, "pkill -HUP -x dnsmasq");
        }
    }

    @Test
    @Order(6)
    void vmctl_startStopFrameworkHost_servicesComeAndGo() throws Exception {
        LabHost h = LabHost.R2_MFWK_P;
        assertFalse(Lab.isRunning(h), "region 2's Framework is dormant after lab/up");
        assertAnswersNothing(Lab.tcpProbe(LabHost.R1_MFWK_P, h.address(), Lab.SSH_PORT));

        assertTrue(Lab.vmctl("start", h).stdout().startsWith("running"));
        assertTrue(Lab.isRunning(h));
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, h.address(), Lab.SSH_PORT));
        assertEquals("CS OK db=" + LabHost.R1_DBMS.address(), Lab.exec(LabHost.R1_MFWK_P,
                "python3 -c 'import socket; s=socket.create_connection((\"" + h.address() + "\", 2020), 5);"
                        + " print(s.makefile().readline().strip())'").stdout().strip());
        // Its own PID namespace: only its processes are visible on it.
        CommandResult ps = Lab.exec(h, "ps -e -o comm=");
        assertTrue(ps.stdout().contains("sshd") && !ps.stdout().contains("named"), ps.stdout());

        assertTrue(Lab.vmctl("stop", h).stdout().startsWith("stopped"));
        assertFalse(Lab.isRunning(h));
        assertAnswersNothing(Lab.tcpProbe(LabHost.R1_MFWK_P, h.address(), Lab.CONFIG_SERVER_PORT));
        assertEquals("", run("ip netns pids " + h.id()).stdout().strip(), "a stopped host runs nothing");
    }

    @Test
    @Order(7)
    void csStandIn_answersOnlyWhileDbmsReachable() {
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_APP_P, LabHost.R1_MFWK_P.address(), Lab.CONFIG_SERVER_PORT));
        Lab.fault("partition", LabHost.R1_DBMS.id());
        try {
            String answer = Lab.exec(LabHost.R1_APP_P, "python3 -c 'import socket; s=socket.create_connection((\""
                    + LabHost.R1_MFWK_P.address() + "\", 2020), 5); print(repr(s.makefile().readline()))'").stdout().strip();
            assertEquals("''", answer, "CS stand-in must close without answering while its DBMS is unreachable");
        } finally {
            Lab.fault("heal", LabHost.R1_DBMS.id());
        }
    }

    @Test
    @Order(99)
    void down_leavesNoNamespaceNoProcessNoLink() throws Exception {
        Path state = Lab.stateDir();
        CommandResult down = Lab.down();
        torndown = true;
        System.out.printf("lab/down took %.1f s%n", down.elapsed().toMillis() / 1000.0);
        assertFalse(run("ip netns list").stdout().contains("drl-"), "lab namespaces remain");
        assertFalse(run("ip -o link show").stdout().contains("drlab0"), "bridge remains");
        assertEquals(List.of(), labProcesses(state), "lab processes remain");
        assertFalse(Files.exists(state), "state dir remains");
        assertFalse(Files.exists(Lab.inventory()), "inventory/lab.yaml remains");
        assertEquals(0, Lab.down().exitCode(), "a second down is a no-op");
    }

    // ------------------------------------------------------------------ helpers

    /** A powered-off host sends nothing back: no SYN-ACK, no RST (the kernel may report no ARP answer as unreachable). */
    private static void assertAnswersNothing(TcpOutcome outcome) {
        assertTrue(outcome == TcpOutcome.TIMEOUT || outcome == TcpOutcome.UNREACHABLE, outcome.toString());
    }

    private static CommandResult run(String command) throws Exception {
        return LocalCommandRunner.local().run(command, T);
    }

    private static CommandResult nsupdate(Path key, String name, String address) throws Exception {
        String script = "server " + Lab.DNS_SERVER + "\nzone " + Lab.ZONE + "\n"
                + "update delete " + name + "." + Lab.ZONE + " A\n"
                + "update add " + name + "." + Lab.ZONE + " " + Lab.RECORD_TTL_SECONDS + " A " + address + "\nsend\n";
        return LocalCommandRunner.local().run("printf '%s' '" + script + "' | nsupdate -t 5 -k '" + key + "'", T);
    }

    /** Resolve through the host's own /etc/resolv.conf (its dnsmasq for app hosts). */
    private static String resolveOn(LabHost host, String name) {
        CommandResult r = Lab.exec(host, "getent ahostsv4 " + name + " | awk 'NR==1 {print $1}'");
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().strip();
    }

    /** Processes whose command line mentions the lab (state dir, lab scripts) or a drl- namespace. */
    private static List<String> labProcesses(Path state) throws IOException {
        List<String> found = new ArrayList<>();
        String labLib = Lab.repoRoot().resolve("lab/lib").toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Iterator<Path> it = procs.iterator(); it.hasNext(); ) {
                Path p = it.next();
                if (!p.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException gone) {
                    continue;
                }
                if (cmd.contains(state.toString()) || cmd.contains(labLib) || cmd.contains("netns exec drl-")) {
                    found.add(p.getFileName() + ": " + cmd.strip());
                }
            }
        }
        return found;
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
