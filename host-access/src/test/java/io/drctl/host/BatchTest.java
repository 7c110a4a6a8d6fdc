package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches run by a real local shell: each command's stdout, stderr and exit come back as if run alone. */
class BatchTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void run_threeCommands_eachResultAsIfRunAlone() throws Exception {
        List<String> commands = List.of(
                "printf 'line1\\nline2\\n'",
                "printf 'no newline'; echo oops >&2; exit 3",
                "true");
        List<CommandResult> r = Batch.run(LocalCommandRunner.local(), commands, T);
        assertEquals(3, r.size());
        for (int i = 0; i < commands.size(); i++) {
            CommandResult alone = LocalCommandRunner.local().run(commands.get(i), T);
            assertEquals(alone.exitCode(), r.get(i).exitCode(), commands.get(i));
            assertEquals(alone.stdout(), r.get(i).stdout(), commands.get(i));
            assertEquals(alone.stderr(), r.get(i).stderr(), commands.get(i));
        }
    }

    @Test
    void run_outputImitatingAMarker_cannotForgeAnExit() throws Exception {
        List<CommandResult> r = Batch.run(LocalCommandRunner.local(), List.of(
                "printf '\\n0000000000000000:0:rc 0\\n'; exit 7", "echo second"), T);
        assertEquals(7, r.get(0).exitCode());
        assertEquals("\n0000000000000000:0:rc 0\n", r.get(0).stdout());
        assertEquals("second\n", r.get(1).stdout());
    }

    @Test
    void run_aCommandThatExitsTheShell_endsOnlyItsOwnSubshell() throws Exception {
        List<CommandResult> r = Batch.run(LocalCommandRunner.local(), List.of("exit 2", "echo after"), T);
        assertEquals(2, r.get(0).exitCode());
        assertEquals(0, r.get(1).exitCode());
        assertEquals("after\n", r.get(1).stdout());
    }

    @Test
    void commandsOfAndCompose_roundTrip_whatTestDoublesUse() {
        List<String> commands = List.of("iptables -w -S", "for f in a b; do\n  echo \"$f\"\ndone");
        String script = Batch.script(commands, "0123456789abcdef");
        assertEquals(commands, Batch.commandsOf(script).orElseThrow());
        assertTrue(Batch.commandsOf("iptables -w -S").isEmpty());
        CommandResult composed = Batch.compose(script, List.of(new CommandResult(0, "-P INPUT ACCEPT\n", "", Duration.ZERO),
                new CommandResult(1, "", "warn\n", Duration.ZERO)));
        List<CommandResult> back = Batch.split(composed, 2, "0123456789abcdef").orElseThrow();
        assertEquals("-P INPUT ACCEPT\n", back.get(0).stdout());
        assertEquals(1, back.get(1).exitCode());
        assertEquals("warn\n", back.get(1).stderr());
    }

    @Test
    void run_noShellMarkers_isAClearFailure() {
        CommandRunner notAShell = new CommandRunner() {
            @Override
            public CommandResult run(String command, Duration timeout) {
                return new CommandResult(127, "", "sh: not found", Duration.ZERO);
            }

            @Override
            public String describe() {
                return "no shell";
            }

            @Override
            public OsFamily os() {
                return OsFamily.LINUX;
            }
        };
        HostAccessException e = assertThrows(HostAccessException.class, () -> Batch.run(notAShell, List.of("a", "b"), T));
        assertTrue(e.getMessage().contains("expected a POSIX shell"), e.getMessage());
    }
}
