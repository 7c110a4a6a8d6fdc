package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.host.CommandResult;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code drctl readiness} and {@code drctl daemon --once} against the real lab: a fresh lab is ready on
 * every check (and the run changes nothing); then one thing is broken at a time — a dormant Framework VM
 * powered on, the dormant DBMS's fence removed — and readiness fails naming exactly that check.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessLabIT extends LabScenario {
    static final List<String> CHECKS = List.of("ssh-standby", "dormant-framework", "standby-replica", "standby-fenced",
            "dns-active", "tsig-key");

    static String runbook() {
        return Lab.repoRoot().resolve("runbooks/readiness.yaml").toString();
    }

    static Cli readiness(String... extra) {
        List<String> a = new ArrayList<>(List.of("readiness", "-i", inventory(), runbook()));
        a.addAll(List.of(extra));
        return drctl(a.toArray(String[]::new));
    }

    /** The check lines: "ok"/"FAIL" by check id. */
    static java.util.Map<String, String> lines(String out) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String l : out.split("\n")) {
            String t = l.strip();
            for (String c : CHECKS) {
                if (t.startsWith("ok    " + c + " ") || t.startsWith("FAIL  " + c + " ")) {
                    m.put(c, t);
                }
            }
        }
        return m;
    }

    @Test
    @Order(1)
    void readiness_freshLab_everyCheckOkExitZeroAndNothingChanged() throws Exception {
        Cli c = readiness();
        assertEquals(0, c.exit(), c.out() + c.err());
        java.util.Map<String, String> l = lines(c.out());
        assertEquals(CHECKS, List.copyOf(l.keySet()), c.out());
        l.forEach((k, v) -> assertTrue(v.startsWith("ok"), v));
        assertTrue(c.out().contains("READY: all 6 checks passed"), c.out());
        // details name what was seen
        assertTrue(l.get("dormant-framework").contains("region2/mfwk-p") && l.get("dormant-framework").contains("STOPPED"), l.toString());
        assertTrue(l.get("standby-replica").contains("streaming"), l.get("standby-replica"));
        assertTrue(l.get("tsig-key").contains("key " + Lab.TSIG_KEY_NAME + " accepted") && l.get("tsig-key").contains("clock skew"),
                l.get("tsig-key"));

        // read-only: the lab is as it was
        assertFalse(Lab.isRunning(LabHost.R2_MFWK_P), "dormant VM must stay stopped");
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT));
        assertEquals(Optional.of("10.77.1.10"), Lab.lookupAtBind("cfgmaster"));

        Cli json = readiness("--output", "json");
        assertEquals(0, json.exit(), json.out() + json.err());
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertTrue(n.get("ok").asBoolean());
        assertEquals(6, n.get("checks").size());
    }

    @Test
    @Order(2)
    void daemonOnce_freshLab_exitZero() {
        Cli c = drctl("daemon", "-i", inventory(), runbook(), "--once", "--listen", "127.0.0.1:0");
        assertEquals(0, c.exit(), c.out() + c.err());
        assertTrue(c.out().contains("READY: all 6 checks passed"), c.out());
    }

    @Test
    @Order(3)
    void readiness_dormantVmRunning_failsNamingOnlyDormantFramework() {
        CommandResult start = Lab.vmctl("start", LabHost.R2_MFWK_P);
        assertEquals(0, start.exitCode(), start.toString());
        try {
            Cli c = readiness();
            assertEquals(3, c.exit(), c.out() + c.err());
            java.util.Map<String, String> l = lines(c.out());
            for (String check : CHECKS) {
                if (check.equals("dormant-framework")) {
                    assertTrue(l.get(check).startsWith("FAIL") && l.get(check).contains("region2/mfwk-p")
                            && l.get(check).contains("expected stopped"), l.get(check));
                } else {
                    assertTrue(l.get(check).startsWith("ok"), l.get(check));
                }
            }
            assertTrue(c.out().contains("NOT READY: 1 of 6 checks failed: dormant-framework"), c.out());
        } finally {
            Lab.vmctl("stop", LabHost.R2_MFWK_P);
        }
    }

    @Test
    @Order(4)
    void readiness_fenceRemoved_failsNamingOnlyStandbyFenced() {
        CommandResult del = Lab.exec(LabHost.R2_DBMS, "iptables -L INPUT -n --line-numbers | awk '/" + Lab.FENCE_COMMENT
                + "/{print $1}' | sort -rn | xargs -r -n1 iptables -D INPUT");
        assertEquals(0, del.exitCode(), del.toString());
        try {
            assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT),
                    "the fence must be gone for this test to mean anything");
            Cli c = readiness();
            assertEquals(3, c.exit(), c.out() + c.err());
            java.util.Map<String, String> l = lines(c.out());
            for (String check : CHECKS) {
                assertEquals(!check.equals("standby-fenced"), l.get(check).startsWith("ok"), l.get(check));
            }
            assertTrue(l.get("standby-fenced").contains("region2/dbms"), l.get("standby-fenced"));
            assertTrue(c.out().contains("NOT READY: 1 of 6 checks failed: standby-fenced"), c.out());
        } finally {
            // put the lab's fence back (as lab/up builds it) so later tests start from the normal state
            for (String subnet : List.of(Lab.REGION1_FRAMEWORK_SUBNET, Lab.REGION2_FRAMEWORK_SUBNET)) {
                CommandResult add = Lab.exec(LabHost.R2_DBMS, "iptables -A INPUT -p tcp -s " + subnet + " --dport " + Lab.DBMS_PORT
                        + " -m comment --comment " + Lab.FENCE_COMMENT + " -j REJECT --reject-with tcp-reset");
                assertEquals(0, add.exitCode(), add.toString());
            }
            assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT),
                    "fence restored");
        }
    }

    @Test
    @Order(5)
    void readiness_wrongTsigSecret_failsOnlyTsigKeyWithTypedErrorAndNoSecretShown() throws Exception {
        String wrong = java.util.Base64.getEncoder().encodeToString("not-the-lab-secret-0123456789abc".getBytes(StandardCharsets.US_ASCII));
        String key = java.nio.file.Files.readString(Lab.tsigKeyFile()).replaceAll("secret \"[^\"]+\"", "secret \"" + wrong + "\"");
        assertTrue(key.contains(wrong), key);
        Path keyFile = java.nio.file.Files.writeString(stateDir.resolve("wrong.key"), key);
        String inv = java.nio.file.Files.readString(Lab.inventory()).replace(Lab.tsigKeyFile().toString(), keyFile.toString());
        assertTrue(inv.contains(keyFile.toString()), "inventory copy must use the wrong key");
        Path invFile = java.nio.file.Files.writeString(stateDir.resolve("lab-wrong-key.yaml"), inv);

        Cli c = drctl("readiness", "-i", invFile.toString(), runbook());
        assertEquals(3, c.exit(), c.out() + c.err());
        java.util.Map<String, String> l = lines(c.out());
        for (String check : CHECKS) {
            assertEquals(!check.equals("tsig-key"), l.get(check).startsWith("ok"), l.get(check));
        }
        assertTrue(l.get("tsig-key").contains("BAD_SIGNATURE"), l.get("tsig-key"));
        assertFalse((c.out() + c.err()).contains(wrong), "the secret must not be printed");
        // readiness rounds journal under <state-dir>/readiness/runs; walk the whole state dir
        try (var files = java.nio.file.Files.walk(stateDir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                assertFalse(java.nio.file.Files.readString(f).contains(wrong), "secret in journal " + f);
            }
        }
    }
}
