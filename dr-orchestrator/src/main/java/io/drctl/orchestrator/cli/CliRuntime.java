package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.access.SshHostAccess;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.steps.Builtins;
import java.io.Console;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the CLI takes from its surroundings; tests pass their own. Built by {@link #system()} or a test, never from
 * input: no component is null.
 *
 * @param env        the environment (secret references, DRCTL_STATE_DIR, HOME, USER)
 * @param clock      time source
 * @param registry   step types
 * @param hostAccess host access per inventory
 * @param prompt     TTY approval prompt (empty when not interactive)
 * @param user       operator name
 * @param host       this machine's name
 */
public record CliRuntime(Map<String, String> env, Clock clock, Supplier<StepTypeRegistry> registry,
                         Function<Inventory, HostAccess> hostAccess,
                         Optional<Function<String, Optional<Boolean>>> prompt, String user, String host) {
    public CliRuntime {
        env = Map.copyOf(env);
    }

    /** The real process environment, SSH host access, and a console prompt when there is a TTY. */
    public static CliRuntime system() {
        Map<String, String> env = System.getenv();
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Console console = System.console();
        Optional<Function<String, Optional<Boolean>>> prompt = console == null ? Optional.empty()
                : Optional.of(q -> {
                    String answer = console.readLine("%s", q);
                    return answer == null ? Optional.empty()
                            : Optional.of(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
                });
        return new CliRuntime(env, Clock.systemUTC(), Builtins::registry, inv -> new SshHostAccess(inv, home),
                prompt, env.getOrDefault("USER", System.getProperty("user.name")), hostName());
    }

    /** This machine's name, {@code localhost} when it has none that resolves. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
