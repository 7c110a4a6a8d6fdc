package io.drctl.orchestrator.steps.firewall;

import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import java.util.List;

/** {@code firewall.verify}: prove a fence (or its absence) by listing the rules and connecting from source hosts. */
public final class FirewallVerifyStep extends FenceStepType {
    public FirewallVerifyStep() {
        super(Mode.VERIFY);
    }

    @Override
    public String name() {
        return "firewall.verify";
    }

    @Override
    public String summary() {
        return "prove a fence (or its absence) by listing rules and connecting from source hosts";
    }

    @Override
    List<FieldSpec> moreFields() {
        return List.of(FieldSpec.required("source", FieldKind.SELECTOR, "hosts that try to connect"),
                FieldSpec.oneOf("expect", true, List.of("fenced", "open"), "`fenced` (refused) or `open` (accepted)"));
    }

    static final class VerifyAction extends FenceHostAction {
        VerifyAction(Target t) {
            super(Mode.VERIFY, t);
        }

        @Override
        public boolean changes() {
            return false;
        }

        @Override
        public Applied apply(ActionContext ctx) {
            return Applied.of("nothing to change");
        }

        @Override
        public Reverted revert(ActionContext ctx) {
            return Reverted.notRevertible("verification changes nothing");
        }
    }
}
