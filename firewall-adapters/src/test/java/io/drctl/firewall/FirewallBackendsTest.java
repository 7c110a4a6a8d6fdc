package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner.OsFamily;
import io.drctl.testing.ScriptedRunner;
import org.junit.jupiter.api.Test;

class FirewallBackendsTest {

    @Test
    void detect_legacyIptables() throws Exception {
        FirewallBackends.Detection d = FirewallBackends.detect(new ScriptedRunner().any(0, "iptables iptables v1.8.7 (legacy)\nnft absent\n"));
        assertEquals(BackendKind.IPTABLES, d.chosen());
        assertEquals(FirewallBackends.IptablesVariant.LEGACY, d.iptablesVariant());
        assertFalse(d.nftPresent());
    }

    @Test
    void detect_onlyNft() throws Exception {
        FirewallBackends.Detection d = FirewallBackends.detect(new ScriptedRunner().any(0, "iptables absent\nnft present\n"));
        assertEquals(BackendKind.NFTABLES, d.chosen());
        assertTrue(d.nftPresent());
    }

    @Test
    void detect_nothing_isBackendMissing() {
        FirewallException e = assertThrows(FirewallException.class, () -> FirewallBackends.detect(new ScriptedRunner().any(0, "iptables absent\nnft absent\n")));
        assertEquals(FirewallException.Kind.BACKEND_MISSING, e.kind());
    }

    @Test
    void forHost_windows_detectsNetshFallback() throws Exception {
        FirewallBackend b = FirewallBackends.forHost(BackendKind.AUTO, new ScriptedRunner(OsFamily.WINDOWS).any(0, "netsh\r\n"));
        assertEquals(BackendKind.WINDOWS_NETSH, b.kind());
        assertEquals(BackendKind.WINDOWS, FirewallBackends.forHost(BackendKind.WINDOWS, new ScriptedRunner(OsFamily.WINDOWS)).kind());
    }

    @Test
    void forHost_kindNotFittingOs_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> FirewallBackends.forHost(BackendKind.IPTABLES, new ScriptedRunner(OsFamily.WINDOWS)));
        assertThrows(IllegalArgumentException.class, () -> FirewallBackends.forHost(BackendKind.WINDOWS, new ScriptedRunner()));
    }
}
