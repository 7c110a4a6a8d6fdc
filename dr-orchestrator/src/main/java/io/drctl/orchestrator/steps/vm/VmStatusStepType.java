package io.drctl.orchestrator.steps.vm;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.HostCheck;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.vm.PowerState;
import io.drctl.vm.VmException;
import io.drctl.vm.VmProvider;
import io.drctl.vm.VmRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code vm.status}: read-only check that each target's VM exists at its provider and is in the
 * expected power state, e.g. the standby region's dormant Framework VMs are present and stopped.
 * Changes nothing (apply is a no-op; never powers anything).
 *
 * <pre>
 * - id: dormant-framework
 *   type: vm.status
 *   hosts: "region=${standby} role=framework"
 *   expect: stopped
 * </pre>
 */
public final class VmStatusStepType extends DeclaredStepType {

    public VmStatusStepType() {
        super("vm.status", Targets.HOSTS,
                "check (read-only) that the hosts' VMs exist and are stopped or running",
                List.of(FieldSpec.oneOf("expect", true, List.of("stopped", "running"), "`stopped` (dormant) or `running`")));
    }

    /** The power states a check can expect. */
    enum Expect { STOPPED, RUNNING }

    static Optional<Expect> parse(String s) {
        return switch (s) {
            case "stopped" -> Optional.of(Expect.STOPPED);
            case "running" -> Optional.of(Expect.RUNNING);
            default -> Optional.empty();
        };
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        VmAccess.validateVms(step, v, "its power state cannot be read");
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        Expect expect = parse(step.fields().string("expect")).orElseThrow();
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            out.add(new StatusAction(h, expect));
        }
        return out;
    }

    static final class StatusAction extends HostCheck {
        private final Expect expect;

        StatusAction(Host host, Expect expect) {
            super(host);
            this.expect = expect;
        }

        @Override
        public String description() {
            Host.VmRef vm = host.vm().orElseThrow();
            return "check that VM " + vm.id() + " of " + host.ref() + " (" + vm.provider() + ") exists and is "
                    + expect.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            PowerState s;
            try (VmProvider p = provider(ctx)) {
                s = p.status(new VmRef(host.ref(), host.vm().orElseThrow().id()));
            } catch (VmException e) {
                throw StepFailure.of(e);
            }
            boolean ok = expect == Expect.STOPPED ? s.isStopped() : s.isRunning();
            String desired = expect.name().toLowerCase(java.util.Locale.ROOT);
            return ok ? Probe.satisfied(s.toString(), desired) : Probe.needed(s.toString(), desired);
        }

        private VmProvider provider(ActionContext ctx) throws StepFailure {
            return VmAccess.vmProvider(ctx, host, Duration.ofMinutes(1));
        }
    }
}
