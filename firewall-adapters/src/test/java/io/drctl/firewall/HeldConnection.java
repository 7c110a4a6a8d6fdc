package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A TCP connection from the Framework namespace, opened now and used (one request) when asked. */
final class HeldConnection implements AutoCloseable {
    private static final String PY = String.join("\n",
            "import socket,sys",
            "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5)",
            "print('connected',flush=True)",
            "sys.stdin.readline()",
            "try:",
            "  s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); d=s.recv(64); r='data' if d else 'closed'",
            "except ConnectionResetError: r='reset'",
            "except socket.timeout: r='timeout'",
            "except OSError: r='error'",
            "print(r,flush=True)");
    private final Process p;
    private final java.io.BufferedReader out;

    private HeldConnection(Process p) {
        this.p = p;
        this.out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
    }

    static HeldConnection open(String address, int port) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", NetnsLab.FW, "python3", "-c", PY, address, String.valueOf(port))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        HeldConnection h = new HeldConnection(p);
        assertEquals("connected", h.out.readLine());
        return h;
    }

    String useNow() throws Exception {
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        String line = out.readLine();
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        return line;
    }

    @Override
    public void close() {
        p.destroyForcibly();
    }
}
