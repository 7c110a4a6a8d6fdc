package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Shell quoting, proven by round trips through real shells (sh and dash). */
class ShellTest {

    static List<String> tricky() {
        return List.of("", "plain", "two words", "it's", "'", "''", "\"", "$HOME", "${HOME}", "$(id)", "`id`",
                "a;rm -rf /tmp/drhost-never", "a && b || c", "line1\nline2", "tab\there", "back\\slash\\",
                "*", "?", "[a-z]", "~", "~root", "-n", "--", "!", "!!", "#comment", "a|b", "<in", ">out", "&",
                "'\"'\"'", "\u00e9\u00e8 \u2713 \u4e2d\u6587", "\r\n", " leading and trailing ");
    }

    @ParameterizedTest
    @MethodSource("tricky")
    void quote_anyValue_reachesPrintfAsOneLiteralWord(String value) throws Exception {
        for (String shell : List.of("/bin/sh", "/usr/bin/dash")) {
            // printf prints each argument between < and >: exactly one word, byte for byte
            String script = "printf '<%s>' " + Shell.quote(value);
            Process p = new ProcessBuilder(shell, "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            assertEquals("<" + value + ">", out, shell + " with " + script);
            assertEquals(0, p.exitValue());
        }
    }

    @Test
    void quote_nulByte_rejected() {
        assertThrows(IllegalArgumentException.class, () -> Shell.quote("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> Shell.quotePowerShell("a\0b"));
    }

    @Test
    void quotePowerShell_singleQuotesAndTypographicQuotes_doubled() {
        assertEquals("'plain'", Shell.quotePowerShell("plain"));
        assertEquals("'it''s'", Shell.quotePowerShell("it's"));
        assertEquals("'$env:PATH'", Shell.quotePowerShell("$env:PATH"));
        assertEquals("'a\u2019\u2019b'", Shell.quotePowerShell("a\u2019b"));
        assertEquals("'a\u2018\u2018b\u201A\u201Ac\u201B\u201Bd'", Shell.quotePowerShell("a\u2018b\u201Ac\u201Bd"));
        assertEquals("''", Shell.quotePowerShell(""));
    }

    /** Runs {@code command} with /bin/sh; returns "exit:stdout". */
    private static String sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        return p.waitFor() + ":" + out;
    }

    @Test
    void onExit_runsThenOnlyOnThatCode_andExitsWithTheStatusOfWhatRanLast() throws Exception {
        assertEquals("0:first then", sh(Shell.onExit("echo first; (exit 1)", 1, "echo then")).replace("\n", " "));
        assertEquals("7:then", sh(Shell.onExit("(exit 1)", 1, "echo then; exit 7")));
        assertEquals("0:first", sh(Shell.onExit("echo first", 1, "echo then")), "exit 0: the second part does not run");
        assertEquals("2:", sh(Shell.onExit("(exit 2)", 1, "echo then")), "another status is passed on, the second part not run");
        String built = Shell.onExit("iptables -w -C INPUT -s 10.0.0.1/32 -j REJECT", 1, "iptables -w -I INPUT 1 -s 10.0.0.1/32 -j REJECT");
        assertEquals(java.util.Optional.of(new Shell.OnExit("iptables -w -C INPUT -s 10.0.0.1/32 -j REJECT", 1,
                "iptables -w -I INPUT 1 -s 10.0.0.1/32 -j REJECT")), Shell.parseOnExit(built));
        assertEquals(java.util.Optional.empty(), Shell.parseOnExit("iptables -w -S"));
    }
}
