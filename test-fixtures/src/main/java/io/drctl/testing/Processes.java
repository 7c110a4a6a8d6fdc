package io.drctl.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping the servers tests start (BIND, dnsmasq hosts, listeners): by their own process, never by name. */
public final class Processes {
    private Processes() {
    }

    /**
     * Asks {@code p} to stop (SIGTERM) and waits up to {@code grace}; then kills it (SIGKILL) and waits up to 5 s
     * more. Interrupted, it kills at once and keeps the thread's interrupt flag.
     */
    public static void stop(Process p, Duration grace) {
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
