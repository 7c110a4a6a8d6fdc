package io.drctl.dns.testing;

import io.drctl.dns.DnsServer;
import io.drctl.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real BIND 9 ({@code named -g}) in its own temp directory: a primary for one zone accepting only
 * TSIG-signed updates (update-policy), or a secondary of it (zone transfer signed with a transfer key, NOTIFY).
 * Test fixture only.
 */
public final class BindServer implements AutoCloseable {

    public static final String ZONE = "drdns.test.";
    public static final String UPDATE_KEY = "drdns-update";
    public static final String READONLY_KEY = "drdns-readonly";
    public static final String XFR_KEY = "drdns-xfr";

    private final Path dir;
    private final String name;
    private final String address;
    private final int port;
    private final Process process;

    private BindServer(Path dir, String name, String address, int port, Process process) {
        this.dir = dir;
        this.name = name;
        this.address = address;
        this.port = port;
        this.process = process;
    }

    /** Key material shared by a primary and its secondaries: written as BIND key files into {@code dir}. */
    public record Keys(Path updateKeyFile, Path readonlyKeyFile, Path xfrKeyFile, String updateSecret) {
        public static Keys generate(Path dir) throws IOException {
            Files.createDirectories(dir);
            String upd = secret();
            return new Keys(writeKey(dir, UPDATE_KEY, upd), writeKey(dir, READONLY_KEY, secret()), writeKey(dir, XFR_KEY, secret()), upd);
        }

        private static String secret() {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            return Base64.getEncoder().encodeToString(b);
        }

        private static Path writeKey(Path dir, String name, String secret) throws IOException {
            Path f = dir.resolve(name + ".key");
            Files.writeString(f, "key \"" + name + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n");
            return f;
        }
    }

    /**
     * Starts a primary for {@link #ZONE}.
     *
     * @param records   zone-file lines below the apex, e.g. {@code cfgmaster 5 IN A 10.1.0.10}
     * @param notify    secondaries to NOTIFY ("address port N")
     * @param listenOn  addresses to listen on
     */
    public static BindServer primary(Path dir, Keys keys, int port, List<String> listenOn, List<String> records, List<String> notify)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        StringBuilder zone = new StringBuilder();
        zone.append("$TTL 300\n@ IN SOA ns1.").append(ZONE).append(" hostmaster.").append(ZONE).append(" 1 3600 600 86400 5\n");
        zone.append("@ IN NS ns1\nns1 IN A 127.0.0.1\n");
        records.forEach(r -> zone.append(r).append('\n'));
        Files.writeString(dir.resolve("db.zone"), zone.toString());
        String alsoNotify = notify.isEmpty() ? "" : "also-notify { " + String.join("; ", notify) + "; };";
        String conf = common(dir, port, listenOn, keys) + """
                zone "%s" {
                    type primary;
                    file "%s";
                    notify explicit;
                    %s
                    allow-transfer { key %s; key %s; };
                    update-policy { grant %s zonesub A; };
                };
                """.formatted(ZONE, dir.resolve("db.zone"), alsoNotify, XFR_KEY, UPDATE_KEY, UPDATE_KEY);
        return start(dir, "primary", listenOn.get(0), port, conf);
    }

    /** Starts a secondary of {@code primary} that transfers with the transfer key. */
    public static BindServer secondary(Path dir, Keys keys, int port, String listen, BindServer primary, String name)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String conf = common(dir, port, List.of(listen), keys) + """
                zone "%s" {
                    type secondary;
                    file "%s";
                    primaries { %s port %d key %s; };
                    allow-transfer { none; };
                };
                """.formatted(ZONE, dir.resolve("db.secondary"), primary.address, primary.port, XFR_KEY);
        return start(dir, name, listen, port, conf);
    }

    private static String common(Path dir, int port, List<String> listenOn, Keys keys) throws IOException {
        StringBuilder k = new StringBuilder();
        for (Path f : List.of(keys.updateKeyFile(), keys.readonlyKeyFile(), keys.xfrKeyFile())) {
            k.append(Files.readString(f));
        }
        return """
                options {
                    directory "%1$s";
                    pid-file "%1$s/named.pid";
                    session-keyfile "%1$s/session.key";
                    managed-keys-directory "%1$s";
                    listen-on port %2$d { %3$s; };
                    listen-on-v6 { none; };
                    recursion no;
                    dnssec-validation no;
                    notify-source 127.0.0.1;
                    transfer-source 127.0.0.1;
                };
                controls { };
                %4$s
                """.formatted(dir, port, String.join("; ", listenOn), k);
    }

    private static BindServer start(Path dir, String name, String address, int port, String conf) throws IOException, InterruptedException {
        Path confFile = dir.resolve("named.conf");
        Files.writeString(confFile, conf);
        ProcessBuilder pb = new ProcessBuilder("named", "-g", "-n", "1", "-c", confFile.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("named.log").toFile());
        Process p = pb.start();
        BindServer s = new BindServer(dir, name, address, port, p);
        try {
            s.awaitZone(Duration.ofSeconds(15));
        } catch (IllegalStateException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Waits (bounded) until the server answers the zone's SOA authoritatively. */
    public void awaitZone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " named exited: " + log());
            }
            try {
                SimpleResolver r = new SimpleResolver(dnsServer().socketAddress());
                r.setTimeout(Duration.ofMillis(500));
                Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(ZONE), Type.SOA, DClass.IN)));
                if (m.getRcode() == Rcode.NOERROR && m.getHeader().getFlag(Flags.AA)) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not serve " + ZONE + " within " + timeout + ": " + log());
    }

    public DnsServer dnsServer() {
        return new DnsServer(name, address, port);
    }

    public int port() {
        return port;
    }

    public String address() {
        return address;
    }

    /** The server's log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("named.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Log lines containing {@code needle}. */
    public long logLines(String needle) {
        return log().lines().filter(l -> l.contains(needle)).count();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }

    /** Deletes a temp directory tree (bounded to paths under the system temp dir). */
    public static void deleteTree(Path root) throws IOException {
        if (root == null || !root.toAbsolutePath().startsWith(Path.of(System.getProperty("java.io.tmpdir")))) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs nsupdate with {@code keyFile} and the script on stdin; returns exit code and output. */
    public static List<String> nsupdate(Path keyFile, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("nsupdate", "-k", keyFile.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("nsupdate did not finish within 60 s");
        }
        List<String> out = new ArrayList<>();
        out.add(String.valueOf(p.exitValue()));
        out.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }
}
