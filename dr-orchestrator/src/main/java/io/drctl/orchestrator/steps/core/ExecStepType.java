package io.drctl.orchestrator.steps.core;

import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code exec}: a local command on the orchestrator machine (Commons Exec, {@code sh -c}). {@code ${params}} are
 * pasted single-quoted; each parameter is also in the environment as {@code DRCTL_PARAM_<NAME>}.
 *
 * <pre>
 * - id: mark
 *   type: exec
 *   command: "echo done >> /var/tmp/log"
 *   unless: "grep -qx done /var/tmp/log"   # optional: exit 0 = already done, skip
 *   unlessReadOnly: true                   # optional: `unless` changes nothing, so dry runs may run it
 *   expectExit: 0
 *   env: { REGION: "${to}" }
 * </pre>
 */
public final class ExecStepType extends DeclaredStepType {
    public ExecStepType() {
        super("exec", Targets.NONE, "run a local command (with an optional `unless` check for idempotence)",
                Stream.concat(CommandSpec.fields().stream(),
                        Stream.of(FieldSpec.optional("env", FieldKind.STRING_MAP, "extra environment variables for the command"))).toList());
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        CommandSpec.validate(step.fields(), v);
        step.fields().map("env").keySet().forEach(k -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                v.problem("env", "environment variable name '" + k + "' is not valid");
            }
        });
    }

    /** {@code DRCTL_PARAM_<NAME>}: the environment variable holding parameter {@code name} for local commands. */
    public static String paramVariable(String name) {
        return "DRCTL_PARAM_" + name.toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion expansion) {
        CommandSpec cmd = CommandSpec.of(step.fields());
        Map<String, String> extraEnv = step.fields().map("env");
        return List.of(new CommandAction("local", "run " + cmd.shown(), LocalCommandRunner.supervised(), cmd, ctx -> {
            Map<String, String> env = new HashMap<>(ctx.env());
            // every parameter is also readable as an environment variable, never parsed by the shell
            ctx.params().forEach((k, val) -> env.put(paramVariable(k), val));
            env.putAll(extraEnv);
            return LocalCommandRunner.local(env);
        }));
    }
}
