package io.drctl.host;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1 in this module's reserved test range (22200-22299). */
public final class TestPorts {
    public static final int FIRST = 22200;
    public static final int LAST = 22299;

    private TestPorts() {
    }

    /** A port in the range that nothing listens on right now (start point varies per JVM). */
    public static int free() throws IOException {
        int span = LAST - FIRST + 1;
        int offset = (int) (ProcessHandle.current().pid() % span);
        for (int i = 0; i < span; i++) {
            int candidate = FIRST + (offset + i) % span;
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", candidate));
                return candidate;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IOException("no free port in " + FIRST + ".." + LAST + " on 127.0.0.1");
    }
}
