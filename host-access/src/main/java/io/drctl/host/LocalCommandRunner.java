package io.drctl.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Runs commands on this machine with {@code sh -c}, optionally behind a fixed argv prefix
 * (e.g. {@code ip netns exec drl-r1-dbms}) so the same adapter code can drive a network namespace.
 */
public final class LocalCommandRunner implements CommandRunner {

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

    @Override
    public CommandResult run(String command, Duration timeout) throws HostAccessException {
        List<String> argv = new ArrayList<>(prefix);
        argv.add("sh");
        argv.add("-c");
        argv.add(command);
        CommandLine cl = new CommandLine(argv.get(0));
        for (String a : argv.subList(1, argv.size())) {
            cl.addArgument(a, false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null); // every exit code is a result
        long start = System.nanoTime();
        int exit;
        try {
            exit = environment == null ? executor.execute(cl) : executor.execute(cl, environment);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } catch (IOException e) {
            throw new HostAccessException(HostAccessException.Kind.LOCAL_SETUP, description,
                    "cannot start '" + argv.get(0) + "': " + e.getMessage(), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (watchdog.killedProcess()) {
            throw new HostAccessException(HostAccessException.Kind.COMMAND_TIMEOUT, description,
                    "command did not exit within " + timeout.toSeconds() + " s and was killed");
        }
        return new CommandResult(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), elapsed);
    }

    @Override
    public String describe() {
        return description;
    }
}
