package io.drctl.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner.OsFamily;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheCommandsTest {

    @Test
    void flush_commandPerResolverKind() {
        List<String> names = List.of("cfgmaster.cc.lab.test", "configdb.cc.lab.test.");
        assertEquals("resolvectl flush-caches", CacheCommands.flush(ResolverKind.SYSTEMD_RESOLVED, Optional.empty(), names));
        assertTrue(CacheCommands.flush(ResolverKind.NSCD, Optional.empty(), names).contains("nscd -i hosts"));
        String dnsmasq = CacheCommands.flush(ResolverKind.DNSMASQ, Optional.empty(), names);
        assertTrue(dnsmasq.contains("systemctl kill --kill-who=main -s HUP dnsmasq.service")
                && dnsmasq.contains("/run/dnsmasq/dnsmasq.pid") && !dnsmasq.contains("pkill"), dnsmasq);
        assertEquals("unbound-control flush_zone 'cc.lab.test.'", CacheCommands.flush(ResolverKind.UNBOUND, Optional.of("cc.lab.test"), names));
        assertEquals("unbound-control flush 'cfgmaster.cc.lab.test.' && unbound-control flush 'configdb.cc.lab.test.'",
                CacheCommands.flush(ResolverKind.UNBOUND, Optional.empty(), names));
        String win = CacheCommands.flush(ResolverKind.WINDOWS_DNS_CLIENT, Optional.empty(), names);
        assertTrue(win.startsWith("try { Clear-DnsClientCache -ErrorAction Stop }") && win.contains("ipconfig /flushdns"), win);
    }

    @Test
    void resolve_commandPerOsQuotesValidatedName() {
        assertEquals("getent ahostsv4 'cfgmaster.cc.lab.test'", CacheCommands.resolve(OsFamily.LINUX, "cfgmaster.cc.lab.test"));
        assertEquals("Resolve-DnsName -Name 'cfgmaster.cc.lab.test.' -Type A -DnsOnly -ErrorAction Stop"
                        + " | Where-Object { $_.Type -eq 'A' } | ForEach-Object { $_.IPAddress }",
                CacheCommands.resolve(OsFamily.WINDOWS, "cfgmaster.cc.lab.test."));
    }

    @Test
    void resolve_rejectsInjection() {
        for (String bad : List.of("x; rm -rf /", "$(reboot)", "a b", "x'.test", "`id`.test", "")) {
            assertThrows(IllegalArgumentException.class, () -> CacheCommands.resolve(OsFamily.LINUX, bad), bad);
            assertThrows(IllegalArgumentException.class, () -> CacheCommands.flush(ResolverKind.UNBOUND, Optional.empty(), List.of(bad)), bad);
        }
    }

    @Test
    void parseAddresses_getentAhostsv4() {
        String out = """
                10.77.2.10      STREAM cfgmaster.cc.lab.test
                10.77.2.10      DGRAM
                10.77.2.10      RAW
                10.77.2.11      STREAM
                10.77.2.11      DGRAM
                10.77.2.11      RAW
                """;
        assertEquals(Set.of("10.77.2.10", "10.77.2.11"), CacheCommands.parseAddresses(out));
        assertEquals(Set.of(), CacheCommands.parseAddresses(""));
    }

    @Test
    void parseAddresses_resolveDnsNameTableAndBare() {
        String table = """

                Name                                           Type   TTL   Section    IPAddress
                ----                                           ----   ---   -------    ---------
                cfgmaster.cc.example.com                       CNAME  60    Answer     cfg-r2.cc.example.com
                cfg-r2.cc.example.com                          A      60    Answer     198.51.100.10
                cfg-r2.cc.example.com                          A      60    Answer     198.51.100.11

                """;
        assertEquals(Set.of("198.51.100.10", "198.51.100.11"), CacheCommands.parseAddresses(table));
        assertEquals(Set.of("198.51.100.10"), CacheCommands.parseAddresses("198.51.100.10\r\n"));
    }

    @Test
    void parseDetected_knownLinesOnly() {
        assertEquals(List.of(ResolverKind.SYSTEMD_RESOLVED, ResolverKind.DNSMASQ),
                CacheCommands.parseDetected("systemd-resolved\nsomething else\ndnsmasq\ndnsmasq\n"));
        assertEquals(List.of(), CacheCommands.parseDetected(""));
    }

    @Test
    void resolverKind_inventoryWords() {
        assertEquals(List.of("systemd-resolved", "nscd", "dnsmasq", "unbound", "windows-dns-client", "auto", "none"),
                ResolverKind.inventoryChoices());
        assertEquals(Optional.of(List.of(ResolverKind.WINDOWS_DNS_CLIENT)), ResolverKind.declared("windows-dns-client"));
        assertEquals(Optional.empty(), ResolverKind.declared("auto"));
        assertEquals(Optional.of(List.of()), ResolverKind.declared("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResolverKind.declared("bind"));
        assertEquals("unknown resolver kind 'bind'", e.getMessage());
    }
}
