package io.drctl.orchestrator.steps.core;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.orchestrator.steps.support.NothingToUndo;
import java.util.List;

/**
 * {@code approval}: stops until an operator approves — at the TTY prompt, with
 * {@code drctl approve RUN STEP} from another shell, or in advance with {@code --yes}. Who approved
 * is journaled.
 *
 * <pre>
 * - id: go
 *   type: approval
 *   message: "Region 1 is confirmed lost; fail over to ${to}?"
 * </pre>
 */
public final class ApprovalStepType extends DeclaredStepType {
    public ApprovalStepType() {
        super("approval", Targets.NONE,
                "wait for an operator's approval (TTY, `drctl approve`, or --yes)",
                List.of(FieldSpec.required("message", FieldKind.STRING, "the question shown to the operator")));
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion expansion) {
        String message = step.fields().string("message");
        return List.of(new NothingToUndo() {
            @Override
            public String nothingToUndo() {
                return "an approval has nothing to undo";
            }

            @Override
            public String target() {
                return "operator";
            }

            @Override
            public String description() {
                return "ask: " + message;
            }

            @Override
            public Probe probe(ActionContext ctx) {
                return ctx.approvals().find(ctx.stepId())
                        .map(a -> Probe.satisfied("approved by " + a.by() + " via " + a.via(), "approved"))
                        .orElse(Probe.needed("not approved", "approved"));
            }

            @Override
            public Applied apply(ActionContext ctx) throws Exception {
                Approvals.Approval a = ctx.approvals().await(ctx.stepId(), message, ctx.cancellation());
                ctx.note("approvedBy", a.by());
                ctx.note("approvedVia", a.via());
                return Applied.of("approved by " + a.by() + " via " + a.via());
            }

            @Override
            public Verified verify(ActionContext ctx) {
                return ctx.approvals().find(ctx.stepId()).map(a -> Verified.ok("approved by " + a.by()))
                        .orElse(Verified.failed("no approval recorded for step " + ctx.stepId()));
            }
        });
    }
}
