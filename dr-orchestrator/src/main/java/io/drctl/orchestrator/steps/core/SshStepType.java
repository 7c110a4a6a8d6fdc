package io.drctl.orchestrator.steps.core;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ssh}: a command on every selected host, through the run's {@link io.drctl.orchestrator.spi.HostAccess}
 * (one reused SSH session per host, strict host keys).
 *
 * <pre>
 * - id: check-replica
 *   type: ssh
 *   hosts: "region=${to} role=dbms"
 *   command: "test -f /var/lib/postgresql/15/main/standby.signal"
 *   expectExit: 0
 * </pre>
 */
public final class SshStepType extends DeclaredStepType {
    public SshStepType() {
        super("ssh", Targets.HOSTS, "run a command on each target host over SSH", CommandSpec.fields());
    }

    @Override
    public void validate(StepSpec step, io.drctl.orchestrator.spi.StepValidation v) {
        CommandSpec.validate(step.fields(), v);
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion expansion) {
        CommandSpec cmd = CommandSpec.of(step.fields());
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            out.add(new CommandAction(h.ref(), "ssh " + h.address() + ": " + cmd.shown(), false, cmd, ctx -> ctx.hosts().runner(h)));
        }
        return out;
    }
}
