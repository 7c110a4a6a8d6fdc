package io.drctl.orchestrator.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every built-in step type has its probe/apply/verify/revert decisions unit-tested without root, in the test class of
 * its domain. A new built-in fails here until it is added to one of them (and to this list).
 */
class StepTypesCoveredTest {
    /** Step type → the unit test class that drives it through its public contract. */
    static final java.util.Map<String, String> COVERED = java.util.Map.ofEntries(
            java.util.Map.entry("exec", "core.CoreStepTypesTest"),
            java.util.Map.entry("ssh", "core.CoreStepTypesTest"),
            java.util.Map.entry("wait.tcp", "core.CoreStepTypesTest"),
            java.util.Map.entry("approval", "core.CoreStepTypesTest"),
            java.util.Map.entry("dns.update", "dns.DnsStepTypesUnitTest"),
            java.util.Map.entry("dns.verify", "dns.DnsStepTypesUnitTest"),
            java.util.Map.entry("dns.ttl", "dns.DnsStepTypesUnitTest"),
            java.util.Map.entry("dns.flush-cache", "dns.DnsCacheAndKeyUnitTest"),
            java.util.Map.entry("dns.key-check", "dns.DnsCacheAndKeyUnitTest"),
            java.util.Map.entry("firewall.fence", "firewall.FenceStepsUnitTest"),
            java.util.Map.entry("firewall.unfence", "firewall.FenceStepsUnitTest"),
            java.util.Map.entry("firewall.verify", "firewall.FenceStepsUnitTest"),
            java.util.Map.entry("vm.start", "vm.VmStepTypesUnitTest"),
            java.util.Map.entry("vm.stop", "vm.VmStepTypesUnitTest"),
            java.util.Map.entry("vm.status", "vm.VmStepTypesUnitTest"),
            java.util.Map.entry("db.promote", "db.DbStepTypesUnitTest"),
            java.util.Map.entry("db.replica", "db.DbStepTypesUnitTest"),
            java.util.Map.entry("db.rejoin", "db.DbStepTypesUnitTest"));

    @Test
    void everyBuiltinStepType_hasADomainUnitTest() throws Exception {
        assertEquals(new TreeSet<>(Builtins.registry().names()), new TreeSet<>(COVERED.keySet()));
        for (String test : Set.copyOf(COVERED.values())) {
            Class.forName("io.drctl.orchestrator.steps." + test); // the named class exists
        }
    }
}
