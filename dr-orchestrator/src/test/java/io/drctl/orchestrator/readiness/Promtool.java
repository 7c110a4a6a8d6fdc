package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker, {@code promtool check metrics} (Debian package {@code prometheus}): the text on stdin,
 * exit 0 and no output when it parses and no lint rule objects. Missing promtool fails the test (CI installs it).
 */
public final class Promtool {
    private Promtool() {
    }

    /** The promtool on PATH (or in /usr/bin); fails naming the package when there is none. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/promtool"))) {
            return "/usr/bin/promtool";
        }
        return fail("promtool not found: install Debian's `prometheus` package (apt-get install -y --no-install-recommends"
                + " prometheus); .ci/run does");
    }

    /** What {@code promtool check metrics} said about {@code text}: its exit code and its output (stdout + stderr). */
    public record Verdict(int exit, String output) {
    }

    public static Verdict check(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary(), "check", "metrics").redirectErrorStream(true).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail("promtool check metrics did not finish within 30 s");
            }
            return new Verdict(p.exitValue(), out);
        } finally {
            p.destroyForcibly(); // by its own handle, only if still running
        }
    }

    /** Asserts that promtool accepts {@code text} with nothing to say: exit 0, no lint warning. */
    public static void assertClean(String text) throws IOException, InterruptedException {
        Verdict v = check(text);
        assertEquals(new Verdict(0, ""), new Verdict(v.exit(), v.output().strip()), "promtool check metrics on:\n" + text);
    }
}
