package io.drctl.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ProcessDestroyer;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Runs commands on this machine with {@code sh -c}, optionally behind a fixed argv prefix
 * (e.g. {@code ip netns exec drl-r1-dbms}) so the same adapter code can drive a network namespace.
 */
public final class LocalCommandRunner implements CommandRunner {

    /** Whether {@code setsid} and {@code /proc} are there to supervise local commands (Linux). */
    private static final boolean SUPERVISED = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self"))
            && (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setsid"))
            || java.nio.file.Files.isExecutable(java.nio.file.Path.of("/bin/setsid")));

    private final List<String> prefix;
    private final String description;
    private final Map<String, String> environment;

    private LocalCommandRunner(List<String> prefix, String description, Map<String, String> environment) {
        this.prefix = List.copyOf(prefix);
        this.description = description;
        this.environment = environment;
    }

    /** Commands run directly on this machine. */
    public static LocalCommandRunner local() {
        return new LocalCommandRunner(List.of(), "local", null);
    }

    /** Commands run on this machine with an environment of their own (secrets passed by reference stay out of argv). */
    public static LocalCommandRunner local(Map<String, String> environment) {
        return new LocalCommandRunner(List.of(), "local", Map.copyOf(environment));
    }

    /** Commands run inside network namespace {@code ns} (needs root). */
    public static LocalCommandRunner inNetns(String ns) {
        Values.name(ns);
        return new LocalCommandRunner(List.of("ip", "netns", "exec", ns), "netns " + ns, null);
    }

    /** Commands run behind an arbitrary argv prefix, e.g. {@code nsenter -t PID -n -p -m}. */
    public static LocalCommandRunner withPrefix(String description, List<String> argvPrefix) {
        return new LocalCommandRunner(argvPrefix, description, null);
    }

    /**
     * Runs the command in a session (process group) of its own, next to a watcher that kills the whole
     * group as soon as this JVM is gone (its parent changes): a drctl killed with SIGKILL mid-command
     * leaves no command running behind it. Arguments: $1 = this JVM's pid, $2 = the command.
     */
    static final String SUPERVISOR = String.join("\n",
            "p=$1; s=$$",
            "( while read -r _ _ _ pp _ < /proc/$s/stat && [ \"$pp\" = \"$p\" ]; do sleep 1; done; kill -KILL 0 ) "
                    + "</dev/null >/dev/null 2>&1 &",
            "w=$!",
            "sh -c \"$2\" drctl-command <&0 &",
            "c=$!",
            "wait \"$c\"; rc=$?",
            "kill \"$w\" 2>/dev/null",
            "exit $rc");

    /**
     * Whether commands of {@link #local()} runners run supervised: in a process group of their own that
     * is killed when this JVM goes away, however it goes (SIGKILL included).
     */
    public static boolean supervised() {
        return SUPERVISED;
    }

    @Override
    public CommandResult run(String command, Duration timeout) throws HostAccessException {
        List<String> argv = new ArrayList<>(prefix);
        if (prefix.isEmpty() && SUPERVISED) {
            argv.addAll(List.of("setsid", "sh", "-c", SUPERVISOR, "drctl-supervisor",
                    Long.toString(ProcessHandle.current().pid()), command));
        } else {
            // behind a prefix (a namespace) this JVM's pid is not visible: plain sh, killed by the timeout only
            argv.add("sh");
            argv.add("-c");
            argv.add(command);
        }
        CommandLine cl = new CommandLine(argv.get(0));
        for (String a : argv.subList(1, argv.size())) {
            cl.addArgument(a, false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TreeKiller killer = new TreeKiller(prefix.isEmpty() && SUPERVISED);
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err));
        executor.setProcessDestroyer(killer);
        executor.setExitValues(null); // every exit code is a result
        long start = System.nanoTime();
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(killer::timeUp,
                CompletableFuture.delayedExecutor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS));
        int exit;
        try {
            exit = environment == null ? executor.execute(cl) : executor.execute(cl, environment);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } catch (IOException e) {
            throw new HostAccessException(HostAccessException.Kind.LOCAL_SETUP, description,
                    "cannot start '" + argv.get(0) + "': " + e.getMessage(), e);
        } finally {
            deadline.cancel(false);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (killer.killed()) {
            throw new HostAccessException(HostAccessException.Kind.COMMAND_TIMEOUT, description,
                    "command did not exit within " + timeout.toMillis() + " ms; it and its child processes were killed");
        }
        return new CommandResult(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), elapsed);
    }

    /**
     * Learns the started process from Commons Exec (as its {@link ProcessDestroyer}) and, when the
     * timeout fires, kills it together with its descendants: killing only the shell would leave
     * background children running, and holding our output pipes open.
     */
    private static final class TreeKiller implements ProcessDestroyer {
        private final AtomicReference<Process> process = new AtomicReference<>();
        private final boolean groupLeader;

        /** @param groupLeader the process leads its own process group ({@code setsid}), so the group can be killed at once */
        TreeKiller(boolean groupLeader) {
            this.groupLeader = groupLeader;
        }
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private volatile boolean killed;

        @Override
        public boolean add(Process p) {
            process.set(p);
            if (timedOut.get()) {
                kill(p); // the deadline passed while the process was being started
            }
            return true;
        }

        @Override
        public boolean remove(Process p) {
            return true;
        }

        @Override
        public int size() {
            return process.get() == null ? 0 : 1;
        }

        void timeUp() {
            timedOut.set(true);
            Process p = process.get();
            if (p != null) {
                kill(p);
            }
        }

        private void kill(Process p) {
            if (!p.isAlive()) {
                return;
            }
            killed = true;
            if (groupLeader) {
                // one atomic kill of the whole group: killing a child first would let its shell run the next command
                try {
                    new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // fall through to the per-process kill below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // twice: a child forked while the first pass ran is caught by the second
            for (int pass = 0; pass < 2; pass++) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            p.destroyForcibly();
        }

        boolean killed() {
            return killed;
        }
    }

    @Override
    public String describe() {
        return description;
    }
}
