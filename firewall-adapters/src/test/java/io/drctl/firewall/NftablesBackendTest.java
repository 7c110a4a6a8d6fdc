package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class NftablesBackendTest {

    private static final String CAPTURE = Resources.read("linux/nft-list-table.txt");
    private static final String TABLE = CAPTURE.substring(0, CAPTURE.indexOf("---"));
    private static final String TABLES = CAPTURE.substring(CAPTURE.indexOf("---") + 4);

    @Test
    void parseTable_realCapture_findsRulesAndHandles() throws Exception {
        List<FirewallRule> rules = NftablesBackend.parseTable(TABLE, "dbms", "t");
        assertEquals(2, rules.size());
        assertEquals(Cidr.parse("10.78.0.3/32"), rules.get(0).source());
        assertEquals("2", rules.get(0).ref());
        assertEquals(Cidr.parse("fd00:78::3/128"), rules.get(1).source());
        assertEquals("3", rules.get(1).ref());
        assertEquals(6432, NftablesBackend.parseTable(TABLE, "pgbouncer", "t").get(0).port());
        assertEquals(0, NftablesBackend.parseTable(TABLE, "ops-manual", "t").size(), "only drctl:fence: tags");
        assertEquals(4, NftablesBackend.countRules(TABLE));
    }

    @Test
    void parseTable_taggedRuleOfUnknownShape_isUnexpectedOutput() {
        String odd = "table inet drctl {\n\tchain input {\n\t\ttcp dport 5432 accept comment \"drctl:fence:dbms\" # handle 9\n\t}\n}\n";
        FirewallException e = assertThrows(FirewallException.class, () -> NftablesBackend.parseTable(odd, "dbms", "t"));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, e.kind());
    }

    @Test
    void apply_addsMissingInOneTransaction() throws Exception {
        String afterTable = "table inet drctl { # handle 3\n\tchain input { # handle 1\n\t\ttype filter hook input priority filter; policy accept;\n"
                + "\t\tip saddr 10.78.0.0/24 tcp dport 5432 counter packets 0 bytes 0 reject with tcp reset comment \"drctl:fence:dbms\" # handle 2\n\t}\n}\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("nft list tables", 0, "table ip filter\n")
                .on("nft 'add table inet drctl; add chain inet drctl input { type filter hook input priority filter; policy accept; }; "
                        + "add rule inet drctl input ip saddr 10.78.0.0/24 tcp dport 5432 counter reject with tcp reset comment \"drctl:fence:dbms\"'", 0, "")
                .on("nft list tables", 0, TABLES)
                .on("nft -a list table inet drctl", 0, afterTable);
        FenceChange c = new NftablesBackend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.5/24")), LockoutGuard.of(22));
        assertEquals(1, c.added().size());
        assertEquals("2", c.added().get(0).ref());
        assertTrue(r.exhausted());
    }

    @Test
    void remove_deletesByHandle_keepsTableWithOtherRules() throws Exception {
        String left = TABLE.lines().filter(l -> !l.contains("drctl:fence:dbms")).reduce("", (a, b) -> a + b + "\n");
        ScriptedRunner r = new ScriptedRunner()
                .on("nft list tables", 0, TABLES).on("nft -a list table inet drctl", 0, TABLE)
                .on("nft 'delete rule inet drctl input handle 2; delete rule inet drctl input handle 3'", 0, "")
                .on("nft list tables", 0, TABLES).on("nft -a list table inet drctl", 0, left);
        FenceChange c = new NftablesBackend(r).remove(Fence.tcp("dbms", 5432, List.of("10.78.0.3")));
        assertEquals(2, c.removed().size());
        assertTrue(r.exhausted(), "no 'delete table' while other rules remain");
    }

    @Test
    void remove_lastRule_dropsTable() throws Exception {
        String one = "table inet drctl { # handle 3\n\tchain input { # handle 1\n\t\ttype filter hook input priority filter; policy accept;\n"
                + "\t\tip saddr 10.78.0.3 tcp dport 5432 reject with tcp reset comment \"drctl:fence:dbms\" # handle 7\n\t}\n}\n";
        String none = "table inet drctl { # handle 3\n\tchain input { # handle 1\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("nft list tables", 0, TABLES).on("nft -a list table inet drctl", 0, one)
                .on("nft 'delete rule inet drctl input handle 7'", 0, "")
                .on("nft list tables", 0, TABLES).on("nft -a list table inet drctl", 0, none)
                .on("nft 'delete table inet drctl'", 0, "");
        new NftablesBackend(r).remove(Fence.tcp("dbms", 5432, List.of("10.78.0.3")));
        assertTrue(r.exhausted());
    }

    @Test
    void probe_nftExit1AsNonRoot_isPermissionDenied() {
        ScriptedRunner r = new ScriptedRunner().on("nft list tables", 1, "").on("id -u", 0, "65534\n");
        FirewallException e = assertThrows(FirewallException.class, () -> new NftablesBackend(r).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, e.kind());
    }
}
