package io.drctl.orchestrator.steps.vm;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.orchestrator.steps.support.HostAction;
import io.drctl.vm.CheckOutcome;
import io.drctl.vm.GuestReady;
import io.drctl.vm.GuestWait;
import io.drctl.vm.PowerResult;
import io.drctl.vm.PowerState;
import io.drctl.vm.ReadinessCheck;
import io.drctl.vm.VmException;
import io.drctl.vm.VmProvider;
import io.drctl.vm.VmRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code vm.start} and {@code vm.stop}: power the targets' VMs through their inventory provider
 * (vSphere REST, or a command template such as govc, virsh, aws, az, or the lab's vmctl).
 * {@code vm.start} completes only when the guest answers: {@code waitFor} lists {@code ssh} (an SSH
 * banner on the host's SSH port) and/or port names/numbers that must accept TCP.
 *
 * <pre>
 * - id: start-framework
 *   type: vm.start
 *   hosts: "region=${to} role=framework"
 *   waitFor: [ssh, configServer]
 *   within: 10m
 *   parallelism: 4
 * </pre>
 */
public final class VmStepTypes {
    private VmStepTypes() {
    }

    /** {@code vm.start}. */
    public static final class StartStep extends Base {
        public StartStep() {
            super(true, "vm.start", "power on the hosts' VMs and wait until the guests answer",
                    FieldSpec.optional("waitFor", FieldKind.STRING_LIST,
                            "`ssh` and/or ports (names from `ports`, or numbers) that must answer (default [ssh])"),
                    WITHIN);
        }
    }

    /** {@code vm.stop}. */
    public static final class StopStep extends Base {
        public StopStep() {
            super(false, "vm.stop", "power off the hosts' VMs and confirm they are stopped", WITHIN);
        }
    }

    /** The {@code within} field both types have. */
    private static final FieldSpec WITHIN = FieldSpec.optional("within", FieldKind.DURATION, "give up after this long (default 10m)");

    abstract static class Base extends DeclaredStepType {
        private final boolean start;

        Base(boolean start, String name, String summary, FieldSpec... fields) {
            super(name, Targets.HOSTS, summary, List.of(fields));
            this.start = start;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            VmAccess.validateVms(step, v, "it cannot be powered");
            for (String w : step.fields().strings("waitFor")) {
                boolean port = w.matches("\\d{1,5}") && Integer.parseInt(w) >= 1 && Integer.parseInt(w) <= 65535;
                if (!w.equals("ssh") && !v.inventory().ports().containsKey(w) && !port) {
                    v.problem("waitFor", "'" + w + "' is neither `ssh`, a port name from `ports`, nor a port number",
                            "ports: " + v.inventory().ports().keySet());
                }
            }
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            Duration within = step.fields().duration("within").orElse(Duration.ofMinutes(10));
            List<String> waitFor = step.fields().has("waitFor") ? step.fields().strings("waitFor") : List.of("ssh");
            List<Action> out = new ArrayList<>();
            for (Host h : step.hosts()) {
                out.add(new PowerAction(h, start, start ? waitFor : List.of(), within));
            }
            return out;
        }
    }

    record PowerAction(Host host, boolean start, List<String> waitFor, Duration within) implements HostAction {
        @Override
        public Set<Effect> effects() {
            return Set.of(Effect.POWER);
        }

        @Override
        public String description() {
            Host.VmRef vm = host.vm().orElseThrow();
            return (start ? "power on " : "power off ") + host.ref() + " (" + vm.provider() + " " + vm.id() + ")"
                    + (waitFor.isEmpty() ? "" : ", then wait for " + waitFor);
        }

        private VmRef ref() {
            return new VmRef(host.ref(), host.vm().orElseThrow().id());
        }

        private List<ReadinessCheck> checks(Inventory inv) {
            List<ReadinessCheck> checks = new ArrayList<>();
            for (String w : waitFor) {
                if (w.equals("ssh")) {
                    checks.add(ReadinessCheck.ssh(host.address(), inv.sshFor(host).port().orElse(22), Duration.ofSeconds(3)));
                } else {
                    int port = inv.ports().containsKey(w) ? inv.ports().get(w) : Integer.parseInt(w);
                    checks.add(ReadinessCheck.tcp(host.address(), port, Duration.ofSeconds(3)));
                }
            }
            return checks;
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            try (VmProvider p = provider(ctx)) {
                PowerState s = p.status(ref());
                String desired = start ? "running" + (waitFor.isEmpty() ? "" : ", " + waitFor + " answering") : "stopped";
                if (start) {
                    if (!s.isRunning()) {
                        return Probe.needed(s.toString(), desired);
                    }
                    List<CheckOutcome> outcomes = GuestWait.checkOnce(checks(ctx.inventory()));
                    boolean ready = outcomes.stream().allMatch(CheckOutcome::ready);
                    String current = s + (outcomes.isEmpty() ? "" : ", " + outcomes);
                    return ready ? Probe.satisfied(current, desired) : Probe.needed(current, desired);
                }
                return s.isStopped() ? Probe.satisfied(s.toString(), desired) : Probe.needed(s.toString(), desired);
            }
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            try (VmProvider p = provider(ctx)) {
                PowerResult r = start ? p.start(ref()) : p.stop(ref());
                String summary = (r.changed() ? "powered " : "already ") + (start ? "on" : "off") + ": " + r.before() + " -> " + r.after();
                if (start && !waitFor.isEmpty()) {
                    GuestWait wait = new GuestWait(ctx.clock(), d -> ctx.pause(d), Duration.ofSeconds(1));
                    GuestReady ready = wait.await(host.ref(), checks(ctx.inventory()), ctx.cancellation().remaining(within));
                    summary += "; guest ready after " + ready.elapsed().toMillis() + " ms (" + ready.checks() + ")";
                    if (waitFor.contains("ssh")) {
                        ctx.hosts().warm(List.of(host)); // the steps and rules that follow will need its session
                    }
                }
                return Applied.of(summary);
            } catch (VmException e) {
                throw StepFailure.of(e);
            }
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            Probe p = probe(ctx);
            ctx.evidence(new Evidence("drctl", "VM " + host.vm().orElseThrow().id() + " (" + host.ref() + ")", p.current(), p.desired(), p.isSatisfied()));
            return Verified.byProbe(p, host.ref());
        }

        @Override
        public boolean revertible() {
            return true;
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            try (VmProvider p = provider(ctx)) {
                PowerResult r = start ? p.stop(ref()) : p.start(ref());
                return Reverted.done((start ? "powered off " : "powered on ") + host.ref() + ": " + r.before() + " -> " + r.after());
            } catch (VmException e) {
                throw StepFailure.of(e);
            }
        }

        private VmProvider provider(ActionContext ctx) throws StepFailure {
            return VmAccess.vmProvider(ctx, host, Duration.ofMinutes(2));
        }
    }

}
