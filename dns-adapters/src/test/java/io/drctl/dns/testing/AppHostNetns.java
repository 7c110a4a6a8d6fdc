package io.drctl.dns.testing;

import io.drctl.host.CommandResult;
import io.drctl.host.HostAccessException;
import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A simulated application host: network namespace {@code drdns-app} linked to the root namespace by a veth
 * pair (10.253.53.1/30 here, .2 there), its own PID + mount namespace ({@code unshare --pid --fork --mount-proc}),
 * dnsmasq on its 127.0.0.1:53 forwarding to a BIND in the root namespace with {@code --min-cache-ttl=3600}, and
 * {@code /etc/netns/drdns-app/resolv.conf} pointing at 127.0.0.1. Test fixture only; needs root.
 */
public final class AppHostNetns implements AutoCloseable {

    public static final String NS = "drdns-app";
    public static final String HOST_IF = "drdns-h";
    public static final String NS_IF = "drdns-a";
    public static final String HOST_ADDR = "10.253.53.1";
    public static final String NS_ADDR = "10.253.53.2";
    private static final Path ETC = Path.of("/etc/netns", NS);

    private final Path dir;
    private Process host;
    private long hostPid;

    private AppHostNetns(Path dir) {
        this.dir = dir;
    }

    /** Creates the namespace and veth pair (removing leftovers of an earlier run of ours first). */
    public static AppHostNetns create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        AppHostNetns a = new AppHostNetns(dir);
        a.cleanup();
        sh("ip netns add " + NS);
        sh("ip link add " + HOST_IF + " type veth peer name " + NS_IF);
        sh("ip link set " + NS_IF + " netns " + NS);
        sh("ip addr add " + HOST_ADDR + "/30 dev " + HOST_IF + " && ip link set " + HOST_IF + " up");
        sh("ip netns exec " + NS + " sh -c 'ip link set lo up && ip addr add " + NS_ADDR + "/30 dev " + NS_IF + " && ip link set " + NS_IF + " up'");
        Files.createDirectories(ETC);
        Files.writeString(ETC.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions attempts:1 timeout:2\n");
        return a;
    }

    /** Starts the host's PID namespace with dnsmasq forwarding to {@code upstream#port}; waits until it answers. */
    public void start(String upstream, int port, String probeName) throws IOException, InterruptedException {
        String dnsmasq = "dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root"
                + " --listen-address=127.0.0.1 --bind-interfaces --port=53 --cache-size=1000 --min-cache-ttl=3600"
                + " --server=" + upstream + "#" + port + " --pid-file=" + dir.resolve("dnsmasq.pid")
                + " --log-queries --log-facility=" + dir.resolve("dnsmasq.log");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", NS, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                "sh", "-c", dnsmasq + " & wait");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("host.log").toFile());
        host = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hostPid == 0 && System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = host.toHandle().children().findFirst();
            if (child.isPresent()) {
                hostPid = child.get().pid();
            } else {
                Thread.sleep(50);
            }
        }
        if (hostPid == 0) {
            throw new IllegalStateException("the host's PID namespace did not start: " + Files.readString(dir.resolve("host.log")));
        }
        LocalCommandRunner r = runner();
        while (System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10)) {
            try {
                CommandResult res = r.run("getent ahostsv4 " + probeName, Duration.ofSeconds(5));
                if (res.succeeded()) {
                    return;
                }
            } catch (HostAccessException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("dnsmasq in " + NS + " did not answer: " + log());
    }

    /** Runs commands inside this host's network, PID and mount namespaces. */
    public LocalCommandRunner runner() {
        return LocalCommandRunner.withPrefix(NS, List.of("nsenter", "-t", Long.toString(hostPid), "-n", "-p", "-m"));
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("dnsmasq.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no dnsmasq log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (host != null) {
            // unshare --kill-child takes the PID namespace (dnsmasq included) down with it
            Processes.stop(host, Duration.ofSeconds(10));
        }
        cleanup();
    }

    private void cleanup() throws IOException, InterruptedException {
        run(List.of("ip", "netns", "del", NS));
        run(List.of("ip", "link", "del", HOST_IF));
        if (Files.exists(ETC)) {
            Files.deleteIfExists(ETC.resolve("resolv.conf"));
            Files.deleteIfExists(ETC);
        }
    }

    private static void sh(String cmd) throws IOException, InterruptedException {
        List<String> out = run(List.of("sh", "-c", cmd));
        if (!out.get(0).equals("0")) {
            throw new IllegalStateException("'" + cmd + "' failed: " + out.get(1));
        }
    }

    private static List<String> run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(argv + " did not finish within 20 s");
        }
        List<String> r = new ArrayList<>();
        r.add(String.valueOf(p.exitValue()));
        r.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return r;
    }
}
