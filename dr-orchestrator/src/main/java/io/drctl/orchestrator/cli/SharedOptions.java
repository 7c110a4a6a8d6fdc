package io.drctl.orchestrator.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that touch the state directory or print machine output. */
final class SharedOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "state directory (runs, journals, lock); default $DRCTL_STATE_DIR or ~/.drctl")
    Path stateDir;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (plan, status, history)")
    String output;

    @Option(names = {"-v", "--verbose"}, description = "print detail lines from actions")
    boolean verbose;

    Path stateDir(Ctx ctx) {
        if (stateDir != null) {
            return stateDir.toAbsolutePath();
        }
        String env = ctx.rt().env().get("DRCTL_STATE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(ctx.rt().env().getOrDefault("HOME", System.getProperty("user.home")), ".drctl");
    }

    boolean json() {
        return "json".equalsIgnoreCase(output);
    }
}
