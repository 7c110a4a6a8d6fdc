package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner;
import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.ScriptedRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Construction-time validation of templates and targets, and the rendering of placeholders. */
class CommandDbmsTemplatesTest {

    private static final CommandDbmsTemplates BASE = CommandDbmsTemplates.of("promote-cmd", "role-cmd", "^PRIMARY$",
            "^SECONDARY$");
    private static final CommandDbmsTarget TARGET = new CommandDbmsTarget("region2/dbms", "db2.example.net", 1433,
            "10.1.2.3");

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void unknownPlaceholder_isRejectedNamingTemplateAndPlaceholder() {
        String m = message(() -> CommandDbmsTemplates.of("dgmgrl / 'failover to {db}'", "role-cmd", "P", "S"));
        assertTrue(m.contains("'promote'") && m.contains("{db}") && m.contains("{host}, {port}, {address}"), m);

        m = message(() -> BASE.withLag("lag-cmd {Host}", "(?<bytes>\\d+)"));
        assertTrue(m.contains("'lag'") && m.contains("{Host}"), m);

        m = message(() -> BASE.withWriteCheck("awk '{print}' {host}"));
        assertTrue(m.contains("'writeCheck'") && m.contains("{print}"), m);
    }

    @Test
    void shellVariablesAndScriptBlocks_areNotPlaceholders() {
        CommandDbmsTemplates t = CommandDbmsTemplates.of("promote ${HOME} {host}", "Invoke-Command { Get-Role } {port}",
                "P", "S");
        assertEquals(List.of("{host}"), CommandDbmsTemplates.placeholdersIn(t.promote()));
        assertEquals(List.of("{port}"), CommandDbmsTemplates.placeholdersIn(t.role()));
    }

    @Test
    void blankOrMultiLineTemplates_areRejected() {
        assertTrue(message(() -> CommandDbmsTemplates.of(" ", "role", "P", "S")).contains("'promote'"));
        assertTrue(message(() -> CommandDbmsTemplates.of("p", "role\nrm -rf /", "P", "S")).contains("'role'"));
        assertTrue(message(() -> BASE.withWriteCheck("w\0")).contains("'writeCheck'"));
        assertThrows(NullPointerException.class, () -> CommandDbmsTemplates.of(null, "role", "P", "S"));
    }

    @Test
    void badPatterns_areRejectedNamingThem() {
        String m = message(() -> CommandDbmsTemplates.of("p", "r", "(PRIMARY", "S"));
        assertTrue(m.contains("'primary'") && m.contains("(PRIMARY"), m);
        assertTrue(message(() -> CommandDbmsTemplates.of("p", "r", "P", "")).contains("'replica'"));
        m = message(() -> BASE.withLag("lag-cmd", "lag=(\\d+)"));
        assertTrue(m.contains("lagPattern") && m.contains("(?<bytes>"), m);
        assertTrue(message(() -> BASE.withLag("lag-cmd", "(?<bytes>\\d+")).contains("'lagPattern'"));
        // lag and its pattern come together
        m = message(() -> new CommandDbmsTemplates("p", "r", BASE.primary(), BASE.replica(), java.util.Optional.of("l"),
                java.util.Optional.empty(), java.util.Optional.empty()));
        assertTrue(m.contains("needs a 'lagPattern'"), m);
    }

    @Test
    void validTemplates_keepTheirParts() {
        CommandDbmsTemplates t = BASE.withLag("lag-cmd", "seconds=(?<seconds>[0-9.]+)").withWriteCheck("  write-cmd ");
        assertEquals("write-cmd", t.writeCheck().orElseThrow());
        assertEquals("lag-cmd", t.lag().orElseThrow());
        assertTrue(t.primary().matcher("x\nPRIMARY\n").find(), "multi-line pattern");
    }

    @Test
    void target_unsafeValues_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CommandDbmsTarget("x", "db; rm -rf /", 5432, "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new CommandDbmsTarget("x", "db", 5432, "10.0.0.1 $(id)"));
        assertThrows(IllegalArgumentException.class, () -> new CommandDbmsTarget("x", "db'", 5432, "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new CommandDbmsTarget("x", "db", 70000, "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new CommandDbmsTarget(" ", "db", 5432, "10.0.0.1"));
        assertEquals("[2001:db8::5]:5432", new CommandDbmsTarget("x", "2001:db8::5", 5432, "2001:db8::5").endpoint());
    }

    @Test
    void render_quotesEveryValueOnce() {
        CommandDbms linux = CommandDbms.of(TARGET, BASE, LocalCommandRunner.local());
        assertEquals("sqlcmd -S 'db2.example.net','1433' -Q \"x\" # '10.1.2.3' {  } ${host}",
                linux.render("sqlcmd -S {host},{port} -Q \"x\" # {address} {  } ${host}"));
        CommandDbms windows = CommandDbms.of(TARGET, BASE, new ScriptedRunner(CommandRunner.OsFamily.WINDOWS));
        assertEquals("Get-Role -Server 'db2.example.net' -Port '1433'", windows.render("Get-Role -Server {host} -Port {port}"));
    }
}
