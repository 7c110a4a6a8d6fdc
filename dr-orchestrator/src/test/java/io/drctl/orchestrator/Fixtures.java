package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.cli.CliRuntime;
import io.drctl.orchestrator.cli.Main;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.steps.Builtins;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Shared test fixtures: a loopback inventory, in-process CLI runs, journal access. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Two regions of loopback hosts; never contacts anything but 127.0.0.0/8. */
    public static final String LOOPBACK_INVENTORY = """
            name: loopback-test
            ssh: { user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }
            dns:
              zone: cc.test.
              servers: [ { name: ns1, address: 127.0.0.1, port: 53 } ]
              tsig: { keyEnv: DRENG_TSIG_KEY }
            ports: { svc: 2020, dbms: 5432 }
            regions:
              region1:
                subnets: { framework: 127.0.1.0/29 }
                hosts:
                  app: { address: 127.0.0.1, roles: [app] }
                  dbms: { address: 127.0.0.2, roles: [dbms] }
              region2:
                hosts:
                  app: { address: 127.0.0.3, roles: [app] }
            records:
              svc: { region1: app, region2: app }
            """;

    /** The result of one in-process CLI invocation. */
    public record Cli(int code, String out, String err) {
        public String all() {
            return out + err;
        }

        /** Asserts the exit code (the failure shows the output); returns this result for further assertions. */
        public Cli assertExit(int expected) {
            assertEquals(expected, code, all());
            return this;
        }
    }

    /** Host access that runs "remote" commands locally (for ssh step logic without sshd). */
    public static HostAccess localHosts() {
        return new FakeHostAccess(Map.of(), Set.of(), host -> LocalCommandRunner.local());
    }

    public static CliRuntime runtime(Map<String, String> env) {
        return new CliRuntime(env, Clock.systemUTC(), Builtins::registry, inv -> localHosts(), Optional.empty(),
                "tester", "testhost");
    }

    public static Cli cli(CliRuntime rt, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(rt, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Cli cli(String... args) {
        return cli(runtime(Map.of("PATH", System.getenv("PATH"))), args);
    }

    public static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The single run directory under {@code stateDir}. */
    public static Path onlyRun(Path stateDir) throws IOException {
        return only(stateDir, "run");
    }

    /** The single drill directory under {@code stateDir}: its {@code report.json}, {@code report.md}, {@code report.html}. */
    public static Path onlyDrill(Path stateDir) throws IOException {
        return only(stateDir, "drill");
    }

    private static Path only(Path stateDir, String kind) throws IOException {
        try (var s = Files.list(stateDir.resolve(kind + "s"))) {
            List<Path> found = s.toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + " in " + stateDir + ", found " + found);
            }
            return found.get(0);
        }
    }

    public static List<JournalEvent> journal(Path runDir) throws IOException {
        return Journal.read(runDir.resolve(Journal.FILE));
    }

    /** Journal events as {@code "event step target"} strings, for exact-sequence assertions. */
    public static List<String> brief(Path runDir) throws IOException {
        return journal(runDir).stream().map(JournalEvent::brief).toList();
    }

    /**
     * The seed of a randomized test: {@code -DPROPERTY=N} replays a run, else it comes from the clock; printed with
     * {@code what} (how many cases) and how to replay it.
     */
    public static long seed(String test, String property, String what) {
        long seed = Long.getLong(property, System.nanoTime());
        System.out.println(test + " seed=" + seed + " " + what + " (replay: -D" + property + "=" + seed + ")");
        return seed;
    }

    /** The repository root (the parent of dr-orchestrator). */
    public static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("inventory")) ? here : here.getParent();
    }

    /**
     * SIGKILL the JVM and every process it started (a crash of the orchestrator machine). The JVM is
     * frozen with SIGSTOP first so it cannot start another command between listing and killing.
     */
    public static void killTree(Process child) throws Exception {
        new ProcessBuilder("kill", "-STOP", Long.toString(child.pid())).start().waitFor();
        List<ProcessHandle> descendants = new ArrayList<>(child.descendants().toList());
        child.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        child.waitFor();
        for (ProcessHandle d : descendants) {
            d.onExit().join();
        }
    }
}
