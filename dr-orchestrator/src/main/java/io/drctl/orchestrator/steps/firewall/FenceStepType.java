package io.drctl.orchestrator.steps.firewall;

import io.drctl.firewall.BackendKind;
import io.drctl.firewall.Fence;
import io.drctl.host.CommandRunner;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepFields;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code firewall.fence}, {@code firewall.unfence} and {@code firewall.verify} share: the fence's fields
 * ({@code port}, {@code from}, {@code name}, {@code connectTimeout}), their checks, and the expansion into one action
 * per host. See {@link FirewallFenceStep} for the whole story.
 */
abstract class FenceStepType extends DeclaredStepType {
    /** The fence's fields, which every one of the three types has. */
    private static final List<FieldSpec> FENCE_FIELDS = List.of(
            FieldSpec.required("port", FieldKind.PORT, "the fenced port: a name from `ports` or a number"),
            FieldSpec.required("from", FieldKind.STRING_LIST, "source CIDRs or named subnets to block"),
            FieldSpec.optional("name", FieldKind.STRING, "fence name in the rule tag (default: the port's name)"),
            FieldSpec.optional("connectTimeout", FieldKind.DURATION, "timeout of one verification connect (default 5s)"));

    private final Mode mode;

    /** {@code more}: the fields of this type besides the fence's. */
    FenceStepType(Mode mode, String name, String summary, FieldSpec... more) {
        super(name, Targets.HOSTS, summary, Stream.concat(FENCE_FIELDS.stream(), Stream.of(more)).toList());
        this.mode = mode;
    }

    /** The {@code verifyFrom} field of the two changing types. */
    static FieldSpec verifyFrom() {
        return FieldSpec.optional("verifyFrom", FieldKind.SELECTOR, "hosts that prove the effect by connecting (default: rules are listed only)");
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        if (step.fields().strings("from").isEmpty()) {
            v.problem("from", "`from` is empty: a fence from nowhere blocks nothing", "e.g. from: [framework]");
        }
        for (String s : step.fields().strings("from")) {
            if (!Values.isCidr(s) && Fences.resolveSubnet(s, v.inventory()).isEmpty()) {
                v.problem("from", "'" + s + "' is neither a CIDR nor a subnet name of any region",
                        "named subnets: " + Fences.subnetNames(v.inventory()) + "; or a CIDR like 10.77.1.8/29");
            }
        }
        Optional<String> name = step.fields().optString("name");
        if (name.isPresent() && !Values.isName(name.get())) {
            v.problem("name", "fence name '" + name.get() + "' is not a safe name", "letters, digits, '_', '.', '-'");
        }
        for (Host h : step.hosts()) {
            if (h.firewall().isEmpty() && h.os() == CommandRunner.OsFamily.WINDOWS) {
                continue; // windows by default
            }
            if (h.firewall().isPresent()) {
                try {
                    BackendKind.parse(h.firewall().get());
                } catch (IllegalArgumentException e) {
                    v.problem("hosts", h.ref() + ": firewall kind '" + h.firewall().get() + "' is unknown",
                            String.join(", ", BackendKind.labels()));
                }
            }
        }
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        StepFields f = step.fields();
        int port = f.port("port").orElseThrow();
        String fenceName = f.optString("name").orElseGet(() -> Fences.portName(x.inventory(), port));
        List<String> cidrs = new ArrayList<>();
        for (String s : f.strings("from")) {
            cidrs.addAll(Values.isCidr(s) ? List.of(s) : Fences.resolveSubnet(s, x.inventory()));
        }
        Fence fence = Fence.tcp(fenceName, port, List.copyOf(new LinkedHashSet<>(cidrs)));
        Duration connectTimeout = f.duration("connectTimeout").orElse(Duration.ofSeconds(5));
        List<Host> sources = mode == Mode.VERIFY ? f.hosts("source") : f.hosts("verifyFrom");
        boolean expectFenced = mode == Mode.VERIFY ? f.string("expect").equals("fenced") : mode == Mode.FENCE;
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            FenceHostAction.Target t = new FenceHostAction.Target(h, fence, sources, expectFenced, connectTimeout);
            out.add(switch (mode) {
                case FENCE -> new FirewallFenceStep.FenceAction(t);
                case UNFENCE -> new FirewallUnfenceStep.UnfenceAction(t);
                case VERIFY -> new FirewallVerifyStep.VerifyAction(t);
            });
        }
        return out;
    }
}
