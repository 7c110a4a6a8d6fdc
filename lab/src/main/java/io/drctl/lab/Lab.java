package io.drctl.lab;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Shell;
import io.drctl.host.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture for the two-region lab that {@code lab/up} builds on this machine (network namespaces
 * on bridge {@code drlab0}). Integration tests of any module use it to bring the lab up, run
 * commands on lab hosts and find the lab's files:
 *
 * <pre>{@code
 * @BeforeAll static void lab() {
 *     assumeTrue(Lab.isRoot(), "the lab needs root");   // skip ONLY on non-root machines
 *     Lab.up();
 * }
 * CommandRunner dbms = Lab.runner(LabHost.R2_DBMS);      // adapters take a CommandRunner
 * }</pre>
 *
 * Every method runs the repository's {@code lab/*} scripts; failures raise {@link LabException}
 * carrying the script's exit status and output tail. The scripts need root.
 */
public final class Lab {

    /** Bridge in the root namespace. */
    public static final String BRIDGE = "drlab0";
    /** The orchestrator's (this process's) address on the bridge. */
    public static final String ORCHESTRATOR_ADDRESS = "10.77.0.1";
    /** The lab's private range. */
    public static final String LAB_NETWORK = "10.77.0.0/16";
    /** Authoritative DNS server (BIND 9). */
    public static final String DNS_SERVER = LabHost.DNS.address();
    /** The lab zone, absolute. */
    public static final String ZONE = "cc.lab.test.";
    /** TSIG key name (hmac-sha256) BIND accepts updates with; the key itself is {@link #tsigKeyFile()}. */
    public static final String TSIG_KEY_NAME = "drctl-update";
    /** TTL of the zone's records, seconds. */
    public static final int RECORD_TTL_SECONDS = 5;
    public static final int DBMS_PORT = 5432;
    public static final int CONFIG_SERVER_PORT = 2020;
    public static final int SSH_PORT = 22;
    /** Comment tagging the iptables fence rules on region 2's DBMS. */
    public static final String FENCE_COMMENT = "drctl:fence:dbms";
    public static final String REGION1_FRAMEWORK_SUBNET = "10.77.1.8/29";
    public static final String REGION2_FRAMEWORK_SUBNET = "10.77.2.8/29";
    /** Record names (relative to {@link #ZONE}) and their values after a fresh {@code lab/up}. */
    public static final Map<String, String> INITIAL_RECORDS = Map.of(
            "cfgmaster", LabHost.R1_MFWK_P.address(),
            "cfgmaster-bk", LabHost.R1_MFWK_B.address(),
            "configdb", LabHost.R1_DBMS.address());

    /** Environment variable overriding the state dir (same as the scripts read). */
    public static final String STATE_ENV = "DRCTL_LAB_STATE";
    /** System property / environment variable overriding repository-root discovery. */
    public static final String REPO_ROOT_PROPERTY = "drctl.repoRoot";
    public static final String REPO_ROOT_ENV = "DRCTL_REPO_ROOT";

    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    private Lab() {
    }

    // ------------------------------------------------------------------ paths

    /**
     * The drctl checkout containing {@code lab/up}: system property {@value #REPO_ROOT_PROPERTY}, else
     * environment {@value #REPO_ROOT_ENV}, else the nearest ancestor of the working directory that has
     * {@code lab/up} (Maven runs tests in the module directory).
     */
    public static Path repoRoot() {
        return findRepoRoot(System.getProperty(REPO_ROOT_PROPERTY), System.getenv(REPO_ROOT_ENV),
                Path.of("").toAbsolutePath());
    }

    static Path findRepoRoot(String property, String env, Path start) {
        for (String explicit : new String[] {property, env}) {
            if (explicit != null && !explicit.isBlank()) {
                Path p = Path.of(explicit).toAbsolutePath().normalize();
                if (!Files.isRegularFile(p.resolve("lab/up"))) {
                    throw new LabException("repository root " + p + " has no lab/up");
                }
                return p;
            }
        }
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lab/up")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new LabException("no drctl checkout (a directory with lab/up and pom.xml) at or above " + start
                + "; set -D" + REPO_ROOT_PROPERTY + " or " + REPO_ROOT_ENV);
    }

    /**
     * The lab state dir, resolved like the scripts do: {@value #STATE_ENV} if set; else the state dir
     * of the lab that is up (recorded in the alias of bridge {@value #BRIDGE}, since one lab per
     * machine may have been started from another checkout); else {@code <repo>/lab/state}.
     */
    public static Path stateDir() {
        return stateDir(System.getenv(), repoRoot(), runningLabStateDir());
    }

    static Path stateDir(Map<String, String> env, Path repoRoot, Optional<Path> runningLab) {
        String override = env.get(STATE_ENV);
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath().normalize();
        }
        return runningLab.orElse(repoRoot.resolve("lab/state"));
    }

    /** The state dir recorded by {@code lab/up} in the bridge's alias ({@code drctl-lab:<dir>}), if the lab is up. */
    static Optional<Path> runningLabStateDir() {
        try {
            return parseBridgeAlias(Files.readString(Path.of("/sys/class/net/" + BRIDGE + "/ifalias")));
        } catch (IOException e) {
            return Optional.empty(); // no bridge: the lab is down
        }
    }

    static Optional<Path> parseBridgeAlias(String alias) {
        String a = alias.strip();
        return a.startsWith("drctl-lab:/") ? Optional.of(Path.of(a.substring("drctl-lab:".length()))) : Optional.empty();
    }

    /** {@code inventory/lab.yaml}, written by {@code lab/up}. */
    public static Path inventory() {
        return repoRoot().resolve("inventory/lab.yaml");
    }

    /** BIND key file for {@value #TSIG_KEY_NAME} (a secret: pass the path, never the content). */
    public static Path tsigKeyFile() {
        return stateDir().resolve("tsig/" + TSIG_KEY_NAME + ".key");
    }

    /** Private key of the lab's SSH client (root on every lab host). */
    public static Path sshIdentity() {
        return stateDir().resolve("ssh/id_ed25519");
    }

    /** known_hosts with the host key of every lab host address. */
    public static Path knownHosts() {
        return stateDir().resolve("ssh/known_hosts");
    }

    /** PostgreSQL data dir of a DBMS host. */
    public static Path pgDataDir(LabHost dbms) {
        if (dbms.role() != LabHost.Role.DBMS) {
            throw new IllegalArgumentException("host " + dbms.id() + " is not a DBMS host");
        }
        return stateDir().resolve("hosts/" + dbms.id() + "/pg/data");
    }

    /** A script of the lab, e.g. {@code script("vmctl")}. */
    public static Path script(String name) {
        return repoRoot().resolve("lab/" + Values.name(name));
    }

    // ------------------------------------------------------------------ environment

    /** True if this process runs as root (uid 0), read from {@code /proc/self/status}. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * True if the lab can run here: root, and {@code ip netns} works. Tests must skip only when
     * {@link #isRoot()} is false; on a root machine a broken lab is a failure, not a skip.
     */
    public static boolean isSupported() {
        if (!isRoot()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** The site lab/up builds by default: drctl's own conventions. */
    public static final String DEFAULT_SITE = "default";
    /** The site as the reference architecture's manual procedure leaves it ({@code lab/up --site manual}). */
    public static final String MANUAL_SITE = "manual";

    /** Runs {@code lab/up} for the default site (idempotent: completes a partial lab, never resets one). Returns its run. */
    public static synchronized CommandResult up() {
        return up(DEFAULT_SITE);
    }

    /**
     * Runs {@code lab/up --site SITE}. A lab that is up as another site is taken down first (one lab per
     * machine, one site per lab).
     */
    public static synchronized CommandResult up(String site) {
        Optional<String> running = site();
        if (running.isPresent() && !running.get().equals(site)) {
            down();
        }
        return runScript("up", "--site", site);
    }

    /** The site of the lab that is up (its state dir's {@code site} file), if one is up. */
    public static Optional<String> site() {
        if (runningLabStateDir().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(stateDir().resolve("site")).strip());
        } catch (IOException e) {
            return Optional.of(DEFAULT_SITE); // a lab from before sites existed
        }
    }

    /** Runs {@code lab/down}: removes every lab namespace, process and file. */
    public static synchronized CommandResult down() {
        return runScript("down");
    }

    /** A lab in its initial state: {@code lab/down} then {@code lab/up}. */
    public static synchronized CommandResult fresh() {
        return fresh(DEFAULT_SITE);
    }

    /** A lab of {@code site} in its initial state: {@code lab/down} then {@code lab/up --site SITE}. */
    public static synchronized CommandResult fresh(String site) {
        down();
        return up(site);
    }

    /** Runs {@code lab/check} and returns its result without throwing (exit 1 = some fact failed). */
    public static CommandResult check() {
        return runScriptAllowingFailure("check");
    }

    /** {@code lab/vmctl ACTION HOST}; throws on failure. ACTION: start, stop, status. */
    public static CommandResult vmctl(String action, LabHost host) {
        if (!List.of("start", "stop", "status").contains(action)) {
            throw new IllegalArgumentException("vmctl action '" + action + "': expected start|stop|status");
        }
        return runScript("vmctl", action, host.id());
    }

    /** True if {@code lab/vmctl status} says the host is running. */
    public static boolean isRunning(LabHost host) {
        return vmctl("status", host).stdout().startsWith("running");
    }

    /** {@code lab/fault ARGS...} (dns-down, dns-up, host-down HOST, host-up HOST, partition HOST, heal HOST). */
    public static CommandResult fault(String... args) {
        return runScript("fault", args); // argv, no shell: nothing to quote
    }

    // ------------------------------------------------------------------ commands on hosts

    /**
     * A {@link CommandRunner} that runs commands on {@code host} via {@code lab/exec} (inside the
     * host's network, PID, mount, UTS and IPC namespaces), for adapters under test.
     */
    public static CommandRunner runner(LabHost host) {
        return LocalCommandRunner.withPrefix("lab host " + host.id(),
                List.of(script("exec").toString(), host.id()));
    }

    /** Runs a shell command on a lab host; fails only if it cannot be started or times out (60 s). */
    public static CommandResult exec(LabHost host, String command) {
        try (CommandRunner r = runner(host)) {
            return r.run(command, EXEC_TIMEOUT);
        } catch (HostAccessException e) {
            throw new LabException("lab/exec " + host.id() + ": " + e.getMessage(), e);
        }
    }

    /** Runs a shell command on the host named by id or region/name. */
    public static CommandResult exec(String host, String command) {
        return exec(LabHost.of(host), command);
    }

    /** One TCP connection attempt from {@code from} to {@code address:port} (3 s timeout), seen from that host. */
    public static TcpOutcome tcpProbe(LabHost from, String address, int port) {
        String cmd = Shell.quote(repoRoot().resolve("lab/lib/tcp-probe").toString()) + " "
                + Shell.quote(Values.ip(address)) + " " + Values.port(port) + " 3";
        CommandResult r = exec(from, cmd);
        if (r.exitCode() > 3) {
            throw new LabException("tcp-probe " + address + ":" + port + " from " + from.id()
                    + " failed (exit " + r.exitCode() + "): " + r.lastLine());
        }
        return TcpOutcome.parse(r.stdout());
    }

    // ------------------------------------------------------------------ script running

    private static CommandResult runScript(String name, String... args) {
        CommandResult r = runScriptAllowingFailure(name, args);
        if (!r.succeeded()) {
            throw new LabException("lab/" + name + " " + String.join(" ", args) + " failed with exit "
                    + r.exitCode() + ":\n" + tail(r.stdout(), 30));
        }
        return r;
    }

    /**
     * Runs a lab script with output to a temporary file (not a pipe: nothing the script leaves behind
     * can keep a pipe open) and stdin from /dev/null. stdout of the result holds stdout+stderr.
     */
    private static CommandResult runScriptAllowingFailure(String name, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(script(name).toString());
        argv.addAll(List.of(args));
        Path out = null;
        long start = System.nanoTime();
        try {
            out = Files.createTempFile("drctl-lab-" + name, ".log");
            Process p = new ProcessBuilder(argv)
                    .directory(repoRoot().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException("lab/" + name + " did not finish within " + SCRIPT_TIMEOUT.toSeconds()
                        + " s:\n" + tail(Files.readString(out), 30));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            return new CommandResult(p.exitValue(), output, "", Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new LabException("cannot run lab/" + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for lab/" + name, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file; nothing to do
                }
            }
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The value of {@code name} (relative to the zone) at BIND, via {@code dig}; empty if none. */
    public static Optional<String> lookupAtBind(String name) {
        Values.hostname(name);
        try (CommandRunner r = LocalCommandRunner.local()) {
            CommandResult res = r.run("dig +short +time=2 +tries=1 @" + DNS_SERVER + " "
                    + Shell.quote(name + "." + ZONE) + " A", EXEC_TIMEOUT);
            String first = res.stdout().lines().findFirst().orElse("").strip();
            return first.isEmpty() ? Optional.empty() : Optional.of(first);
        } catch (HostAccessException e) {
            throw new LabException("dig " + name + "." + ZONE + " at " + DNS_SERVER + ": " + e.getMessage(), e);
        }
    }
}
