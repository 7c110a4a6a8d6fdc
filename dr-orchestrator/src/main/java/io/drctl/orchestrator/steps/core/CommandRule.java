package io.drctl.orchestrator.steps.core;

import io.drctl.host.CommandResult;
import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.steps.support.DeclaredRule;
import java.time.Duration;
import java.util.List;

/**
 * {@code command}: a site-specific read-only check run locally on the drctl machine; exit 0 means
 * the rule holds, any other exit is a violation quoting the command's last output line.
 *
 * <pre>
 * - { id: change-freeze-off, type: command, command: "/etc/drctl/checks/no-change-freeze" }
 * </pre>
 */
public final class CommandRule extends DeclaredRule {

    public CommandRule() {
        super("command", "a local read-only check command: exit 0 = holds, otherwise violated", List.of(
                FieldSpec.required("command", FieldKind.COMMAND, "shell command run locally; exit 0 = the rule holds; must not change anything"),
                FieldSpec.optional("timeout", FieldKind.DURATION, "how long the command may take (default 30s; timing out is a violation)")));
    }

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Check evaluate(RuleSpec rule, RuleContext context) throws Exception {
        String command = rule.fields().string("command");
        Duration timeout = rule.fields().duration("timeout").orElse(DEFAULT_TIMEOUT);
        CommandResult r = LocalCommandRunner.local(context.env()).run(command, timeout);
        String last = r.lastLine().isBlank() ? "" : ": " + r.lastLine();
        return r.succeeded() ? Check.ok("check command exited 0" + last)
                : Check.violated("check command `" + command + "` exited " + r.exitCode() + " (expected 0)" + last);
    }
}
