package io.drctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An argument a command cannot use ({@link InvalidArgumentException}) reaches the operator through {@link Main}: the
 * message after {@code drctl: }, the hint (when there is one) indented on the next line, nothing more, exit 2.
 */
class InvalidArgumentExceptionTest {
    @TempDir
    static Path tmp;

    static Stream<Arguments> withoutHint() {
        return Stream.of(
                Arguments.of(List.of("schema", "bogus"), "drctl: schema KIND must be inventory or runbook, got 'bogus'"),
                Arguments.of(List.of("readiness", "history", "-i", "inv.yaml", "--since", "forever", "--state-dir", "state"),
                        "drctl: invalid --since 'forever': expected a duration like 30m, 24h, 7d (at most 30d)"),
                Arguments.of(List.of("daemon", "-i", "inv.yaml", "--keep-runs", "0", "--once", "--state-dir", "state"),
                        "drctl: invalid --keep-runs 0: must be at least 1"),
                Arguments.of(List.of("daemon", "-i", "inv.yaml", "--instance-id", "a b", "--once", "--state-dir", "state"),
                        "drctl: invalid --instance-id 'a b': letters, digits, '_', '.', '-', at most 100 characters,"
                                + " e.g. region1-a (or AUTO: host name and process id)"),
                Arguments.of(List.of("daemon", "-i", "inv.yaml", "--listen", "example.com:80", "--once", "--state-dir", "state"),
                        "drctl: invalid --listen 'example.com:80': expected HOST:PORT with an IP address or localhost"
                                + " and a port 0..65535, e.g. 127.0.0.1:9464"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutHint")
    void call_unusableArgument_oneLineOnStderrExitTwo(List<String> args, String expected) throws Exception {
        Fixtures.Cli r = drctl(args).assertExit(ExitCodes.INVALID_INPUT);
        assertEquals(expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void call_noSuchRun_isOneOfThem() throws Exception {
        Path state = tmp.resolve("state");
        Fixtures.Cli r = drctl(List.of("status", "20261122T031500Z-x-0000", "--state-dir", "state"))
                .assertExit(ExitCodes.INVALID_INPUT);
        assertEquals("drctl: no run '20261122T031500Z-x-0000' in " + state + " (see drctl history)\n", r.err());
    }

    @Test
    void call_withHint_hintIndentedOnTheNextLine() throws Exception {
        Fixtures.Cli r = drctl(List.of("daemon", "-i", "inv.yaml", "--schedule", "*/5 * * * *", "--once", "--state-dir", "state"))
                .assertExit(ExitCodes.INVALID_INPUT);
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("drctl: invalid --schedule '*/5 * * * *': "), lines.get(0));
        assertEquals("  Quartz cron has 6 or 7 fields: seconds minutes hours day-of-month month day-of-week [year],"
                + " with '?' in one day field; e.g. '0 */5 * * * ?' (every 5 minutes)", lines.get(1));

        Path inv = tmp.resolve("inv.yaml");
        Fixtures.Cli h = drctl(List.of("readiness", "history", "-i", "inv.yaml", "--state-dir", "state")).assertExit(ExitCodes.INVALID_INPUT);
        assertEquals("drctl: " + inv + " has no readiness.store: the history of readiness changes lives in the daemons' store\n"
                + "  add readiness: { store: { url: jdbc:postgresql://HOST:5432/drctl, user: drctl, passwordFile: ... } },"
                + " or see single rounds with: drctl history --state-dir <state-dir>/readiness\n", h.err());
    }

    /** drctl, with {@code inv.yaml} in {@code args} standing for a valid loopback inventory and {@code state} for a state dir. */
    private static Fixtures.Cli drctl(List<String> args) throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        List<String> all = new ArrayList<>();
        for (String a : args) {
            all.add(a.equals("inv.yaml") ? inv.toString() : a.equals("state") ? tmp.resolve("state").toString() : a);
        }
        return Fixtures.cli(all.toArray(String[]::new));
    }
}
