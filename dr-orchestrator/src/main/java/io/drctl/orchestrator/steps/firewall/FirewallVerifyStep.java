package io.drctl.orchestrator.steps.firewall;

import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import java.util.List;

/** {@code firewall.verify}: prove a fence (or its absence) by listing the rules and connecting from source hosts. */
public final class FirewallVerifyStep extends FenceStepType {
    public FirewallVerifyStep() {
        super(Mode.VERIFY, "firewall.verify",
                "prove a fence (or its absence) by listing rules and connecting from source hosts",
                FieldSpec.required("source", FieldKind.SELECTOR, "hosts that try to connect"),
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
    }
}
