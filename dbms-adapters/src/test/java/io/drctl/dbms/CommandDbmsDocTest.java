package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every template example of COMMAND-DBMS.md passes {@link CommandDbmsTemplates}' validation and renders. */
class CommandDbmsDocTest {

    @Test
    void documentedTemplates_allValidate() throws Exception {
        List<Map<String, String>> blocks = CommandDbmsDoc.blocks();
        assertEquals(3, blocks.size(), "PostgreSQL, SQL Server, Oracle");
        CommandDbmsTarget target = new CommandDbmsTarget("doc", "db2.example.net", 1433, "10.1.2.3");
        for (Map<String, String> b : blocks) {
            assertEquals("command", b.get("kind"), b.toString());
            CommandDbmsTemplates t = CommandDbmsDoc.templates(b);
            assertTrue(t.lag().isPresent() && t.writeCheck().isPresent(), b.toString());
            String role = CommandDbms.of(target, t, LocalCommandRunner.local()).render(t.role());
            assertTrue(!role.contains("{host}") && !role.contains("{port}"), role);
            CommandDbms d = CommandDbms.of(target, t, LocalCommandRunner.local());
            for (String tpl : List.of(t.promote(), t.role(), t.lag().get(), t.writeCheck().get())) {
                // each rendered command is valid POSIX sh (parsed, not run)
                CommandResult r = LocalCommandRunner.local().run("sh -n -c " + Shell.quote(d.render(tpl)),
                        Duration.ofSeconds(10));
                assertEquals(0, r.exitCode(), tpl + ": " + r.stderr());
            }
        }
        CommandDbmsTemplates sql = CommandDbmsDoc.templates(blocks.get(1));
        assertTrue(sql.replica().matcher("SECONDARY\n").find());
        assertTrue(sql.lagPattern().orElseThrow().matcher("bytes=2048 seconds=3").find());
        CommandDbmsTemplates ora = CommandDbmsDoc.templates(blocks.get(2));
        assertTrue(ora.replica().matcher("\nPHYSICAL STANDBY\n").find());
        assertTrue(ora.lagPattern().orElseThrow().matcher("seconds=5").find());
    }
}
