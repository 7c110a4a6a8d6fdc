package io.drctl.host;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Waits on local processes that a test expects to be killed. */
public final class TestProcesses {
    private TestProcesses() {
    }

    /** Bounded wait (10 s) for a process to disappear; false if it still runs then. */
    public static boolean awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
