package io.drctl.host.ssh;

import io.drctl.host.TestPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real OpenSSH sshd on 127.0.0.1 (port in 22200-22299) with its own host key, config, authorized
 * keys and log, all in one temp directory; plus the client key pairs the tests use.
 * Started with {@code /usr/sbin/sshd -D -e -f <config>}, stopped by its own PID.
 */
final class TestSshd implements AutoCloseable {

    static final String PASSPHRASE = "drhost-pass-5bX9kq2Wz";

    final Path dir;
    final int port;
    final Path hostKey;
    final Path otherHostKey;
    final Path clientEd25519;
    final Path clientRsa;
    final Path clientEncrypted;
    final Path clientUnauthorized;
    final Path log;
    private final Process process;

    private TestSshd(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.hostKey = dir.resolve("host_ed25519");
        this.otherHostKey = dir.resolve("other_host_ed25519");
        this.clientEd25519 = dir.resolve("client_ed25519");
        this.clientRsa = dir.resolve("client_rsa");
        this.clientEncrypted = dir.resolve("client_encrypted");
        this.clientUnauthorized = dir.resolve("client_unauthorized");
        this.log = dir.resolve("sshd.log");
    }

    static TestSshd start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("drhost-sshd-");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "drhost-host", "-f", "host_ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "drhost-other-host", "-f", "other_host_ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "drhost-client", "-f", "client_ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "drhost-client-rsa", "-f", "client_rsa");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "drhost-client-enc", "-f", "client_encrypted");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "drhost-stranger", "-f", "client_unauthorized");
        String authorized = Files.readString(dir.resolve("client_ed25519.pub"))
                + Files.readString(dir.resolve("client_rsa.pub"))
                + Files.readString(dir.resolve("client_encrypted.pub"));
        Files.writeString(dir.resolve("authorized_keys"), authorized);

        int port = TestPorts.free();
        String config = String.join("\n",
                "ListenAddress 127.0.0.1:" + port,
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "StrictModes no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "AllowTcpForwarding yes",
                "MaxSessions 10",
                "LogLevel VERBOSE",
                // sessions' temporary files (the long-lived shells' spool) where a test can look for them
                "SetEnv TMPDIR=" + dir.resolve("tmp"),
                "");
        Files.createDirectories(dir.resolve("tmp"));
        Path cfg = dir.resolve("sshd_config");
        Files.writeString(cfg, config);
        Files.createDirectories(Path.of("/run/sshd"));
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile());
        Process p = pb.start();
        TestSshd sshd = new TestSshd(dir, port, p);
        try {
            sshd.awaitBanner();
        } catch (IOException | RuntimeException e) {
            sshd.close();
            throw e;
        }
        return sshd;
    }

    /** Waits (bounded, 15 s) until sshd answers with its SSH banner. */
    private void awaitBanner() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                byte[] buf = new byte[8];
                InputStream in = s.getInputStream();
                int n = in.readNBytes(buf, 0, 8);
                if (n >= 4 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("SSH-")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("sshd on 127.0.0.1:" + port + " did not answer within 15 s: " + Files.readString(log));
    }

    /** A known_hosts file (plain) with this server's key under {@code [127.0.0.1]:port}. */
    Path knownHosts(String fileName) throws IOException {
        return knownHostsWithKey(fileName, hostKey);
    }

    /** A known_hosts file that records {@code keyFile}'s public key for this server's address. */
    Path knownHostsWithKey(String fileName, Path keyFile) throws IOException {
        String[] pub = Files.readString(Path.of(keyFile + ".pub")).trim().split(" ");
        Path f = dir.resolve(fileName);
        Files.writeString(f, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
        return f;
    }

    /** The same entry hashed by {@code ssh-keygen -H} (the |1|salt|hash form). */
    Path hashedKnownHosts(String fileName) throws IOException, InterruptedException {
        Path f = knownHosts(fileName);
        run(dir, "ssh-keygen", "-q", "-H", "-f", f.toString());
        Files.deleteIfExists(Path.of(f + ".old"));
        return f;
    }

    /** How many logins sshd has accepted so far (one per SSH connection). */
    int acceptedLogins() throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains("Accepted publickey for ")).count();
        }
    }

    /** The private-key body lines of every key this fixture made: text that must never leak. */
    List<String> secretLines() throws IOException {
        List<String> secrets = new ArrayList<>();
        for (Path key : List.of(clientEd25519, clientRsa, clientEncrypted, clientUnauthorized)) {
            for (String line : Files.readAllLines(key)) {
                if (!line.startsWith("-----") && line.length() >= 20) {
                    secrets.add(line);
                }
            }
        }
        secrets.add(PASSPHRASE);
        return secrets;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM to this sshd's own PID
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void run(Path dir, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
