package io.drctl.firewall;

import io.drctl.host.CommandRunner;
import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-host network of our own for the integration tests: netns {@code drfw-dbms} (10.78.0.2,
 * fd00:78::2, a TCP listener on {@link #DB_PORT}), {@code drfw-fw} (the Framework host, 10.78.0.3,
 * fd00:78::3) and {@code drfw-other} (10.78.0.4, fd00:78::4), joined by bridge {@code drfw0} that lives in
 * its own netns {@code drfw-sw}, so nothing is added to the machine's root namespace.
 */
final class NetnsLab implements AutoCloseable {

    static final String SW = "drfw-sw";
    static final String DBMS = "drfw-dbms";
    static final String FW = "drfw-fw";
    static final String OTHER = "drfw-other";
    static final String DBMS_IP = "10.78.0.2";
    static final String FW_IP = "10.78.0.3";
    static final String OTHER_IP = "10.78.0.4";
    static final String DBMS_IP6 = "fd00:78::2";
    static final String FW_IP6 = "fd00:78::3";
    static final int DB_PORT = 15432;
    static final Path EMPTY_BIN = Path.of("/tmp/drfw-emptybin");
    static final Path NO_PYTHON_BIN = Path.of("/tmp/drfw-nopython");

    private Process listener;

    static NetnsLab start() throws Exception {
        NetnsLab lab = new NetnsLab();
        try {
            lab.up();
            return lab;
        } catch (Exception | Error e) {
            lab.close();
            throw e;
        }
    }

    private void up() throws Exception {
        teardownNamespaces();
        for (String ns : List.of(SW, DBMS, FW, OTHER)) {
            root("ip", "netns", "add", ns);
            root("ip", "-n", ns, "link", "set", "lo", "up");
        }
        root("ip", "-n", SW, "link", "add", "drfw0", "type", "bridge");
        root("ip", "-n", SW, "link", "set", "drfw0", "up");
        String[][] hosts = {{DBMS, "2"}, {FW, "3"}, {OTHER, "4"}};
        for (String[] h : hosts) {
            String port = "p" + h[0].substring(5);
            root("ip", "-n", SW, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", h[0]);
            root("ip", "-n", SW, "link", "set", port, "master", "drfw0", "up");
            root("ip", "-n", h[0], "addr", "add", "10.78.0." + h[1] + "/24", "dev", "eth0");
            root("ip", "-n", h[0], "addr", "add", "fd00:78::" + h[1] + "/64", "dev", "eth0", "nodad");
            root("ip", "-n", h[0], "link", "set", "eth0", "up");
        }
        // a Framework host without python3, to exercise the bash /dev/tcp probe
        makeBinDir(NO_PYTHON_BIN, "sh", "bash", "timeout");
        makeBinDir(EMPTY_BIN, "sh");
        listener = new ProcessBuilder("ip", "netns", "exec", DBMS, "/usr/bin/python3", "-m", "http.server", String.valueOf(DB_PORT),
                "--bind", "::").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        FenceVerifier v = new FenceVerifier(java.time.Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) { // bounded: ~10 s
            if (v.connect(fw(), DBMS_IP, DB_PORT) == FenceVerifier.ConnectOutcome.CONNECTED
                    && v.connect(fw(), DBMS_IP6, DB_PORT) == FenceVerifier.ConnectOutcome.CONNECTED) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("listener in " + DBMS + " did not accept on " + DB_PORT + " within 10 s");
    }

    private static void makeBinDir(Path dir, String... tools) throws Exception {
        root("rm", "-rf", dir.toString());
        Files.createDirectories(dir);
        for (String t : tools) {
            Files.createSymbolicLink(dir.resolve(t), Path.of(which(t)));
        }
    }

    private static String which(String tool) throws Exception {
        for (String d : List.of("/usr/bin", "/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return d + "/" + tool;
            }
        }
        throw new IllegalStateException(tool + " not found");
    }

    CommandRunner dbms() {
        return LocalCommandRunner.inNetns(DBMS);
    }

    CommandRunner fw() {
        return LocalCommandRunner.inNetns(FW);
    }

    CommandRunner other() {
        return LocalCommandRunner.inNetns(OTHER);
    }

    /** The dbms host as an unprivileged user. */
    CommandRunner dbmsAsNobody() {
        return LocalCommandRunner.withPrefix("netns " + DBMS + " as nobody",
                List.of("ip", "netns", "exec", DBMS, "runuser", "-u", "nobody", "--"));
    }

    /** The dbms host with nothing but sh on PATH (no iptables, no nft). */
    CommandRunner dbmsWithoutFirewallTools() {
        return LocalCommandRunner.withPrefix("netns " + DBMS + " with PATH=" + EMPTY_BIN,
                List.of("ip", "netns", "exec", DBMS, "env", "PATH=" + EMPTY_BIN));
    }

    /** The Framework host with no python3 on PATH. */
    CommandRunner fwWithoutPython() {
        return LocalCommandRunner.withPrefix("netns " + FW + " without python3",
                List.of("ip", "netns", "exec", FW, "env", "PATH=" + NO_PYTHON_BIN));
    }

    /** Runs a shell command in the dbms netns as root and returns stdout; fails on non-zero exit. */
    String inDbms(String command) throws Exception {
        return root("ip", "netns", "exec", DBMS, "sh", "-c", command);
    }

    /** Empties every firewall rule of the dbms host (our own namespace only). */
    void resetDbmsFirewall() throws Exception {
        inDbms("iptables -F; iptables -X; ip6tables -F; ip6tables -X; nft flush ruleset");
    }

    @Override
    public void close() {
        if (listener != null) {
            Processes.stop(listener, Duration.ofSeconds(5));
        }
        try {
            teardownNamespaces();
            root("rm", "-rf", EMPTY_BIN.toString(), NO_PYTHON_BIN.toString());
        } catch (Exception e) {
            System.err.println("cleanup of drfw namespaces failed: " + e);
        }
    }

    private static void teardownNamespaces() throws Exception {
        String list = root("ip", "netns", "list");
        for (String ns : List.of(DBMS, FW, OTHER, SW)) {
            if (list.lines().anyMatch(l -> l.equals(ns) || l.startsWith(ns + " "))) {
                root("ip", "netns", "del", ns);
            }
        }
    }

    /** Runs argv as root on this machine, bounded to 30 s; returns stdout; throws with stderr on failure. */
    static String root(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).start();
        List<byte[]> out = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                out.add(p.getInputStream().readAllBytes());
            } catch (IOException ignored) {
                out.add(new byte[0]);
            }
        });
        t.start();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " did not exit within 30 s");
        }
        t.join(5000);
        String stdout = out.isEmpty() ? "" : new String(out.get(0), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + new String(err, StandardCharsets.UTF_8));
        }
        return stdout;
    }
}
