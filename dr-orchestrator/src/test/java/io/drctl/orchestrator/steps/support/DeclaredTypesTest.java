package io.drctl.orchestrator.steps.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.SafetyRule;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import io.drctl.orchestrator.steps.Builtins;
import io.drctl.orchestrator.steps.StepHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the {@code steps/support} shapes give every built-in: its declaration fixed once, a host's action targeting the host. */
class DeclaredTypesTest {
    @TempDir
    Path tmp;

    /** A step type declared with the fields in {@code given}. */
    private static StepType declared(String name, List<FieldSpec> given) {
        return new DeclaredStepType(name, StepType.Targets.NONE, "a test type", given) {
            @Override
            public List<Action> expand(StepSpec step, Expansion expansion) {
                return List.of();
            }
        };
    }

    @Test
    void declaredStepType_keepsItsDeclaration_aChangeToTheGivenListDoesNotReachIt() {
        List<FieldSpec> given = new ArrayList<>(List.of(FieldSpec.required("store", FieldKind.STRING, "state file")));
        StepType t = declared("test.type", given);
        given.add(FieldSpec.optional("more", FieldKind.STRING, "added afterwards"));
        assertEquals(List.of("test.type", "a test type", "NONE"), List.of(t.name(), t.summary(), t.targets().name()));
        assertEquals(List.of("store"), t.fields().stream().map(FieldSpec::name).toList());
        assertThrows(UnsupportedOperationException.class, () -> t.fields().add(given.get(1)));
    }

    @Test
    void declared_withoutNameOrTargets_isRefusedWhenBuilt_namingWhatIsMissing() {
        NullPointerException noName = assertThrows(NullPointerException.class, () -> declared(null, List.of()));
        assertEquals("name", noName.getMessage());
        NullPointerException noTargets = assertThrows(NullPointerException.class,
                () -> new DeclaredStepType("t", null, "s", List.of()) {
                    @Override
                    public List<Action> expand(StepSpec step, Expansion expansion) {
                        return List.of();
                    }
                });
        assertEquals("targets", noTargets.getMessage());
    }

    @Test
    void declaredRule_answersWithItsDeclaration() {
        SafetyRule r = new DeclaredRule("test-rule", "always holds", List.of(FieldSpec.required("from", FieldKind.SELECTOR, "hosts"))) {
            @Override
            public Check evaluate(RuleSpec rule, RuleContext context) {
                return Check.ok("holds");
            }
        };
        assertEquals(List.of("test-rule", "always holds", List.of("from")),
                List.of(r.name(), r.summary(), r.fields().stream().map(FieldSpec::name).toList()));
    }

    @Test
    void builtins_eachDeclaresItsOwnName_withFieldsThatCannotBeChangedAfterwards() {
        var registry = Builtins.registry();
        for (String name : registry.names()) {
            StepType t = registry.find(name).orElseThrow();
            assertEquals(name, t.name());
            assertThrows(UnsupportedOperationException.class, () -> t.fields().clear(), name);
        }
        for (SafetyRule r : registry.rules().all()) {
            assertThrows(UnsupportedOperationException.class, () -> r.fields().clear(), r.name());
        }
    }

    @Test
    void hostActions_targetTheirHost_andAWaitHasNothingToUndo() throws Exception {
        StepHarness h = StepHarness.load(tmp, Fixtures.LOOPBACK_INVENTORY, """
                name: t
                steps:
                  - { id: w, type: wait.tcp, hosts: "region=region1 role=app", port: 9 }
                """);
        Action wait = h.action("w");
        assertTrue(wait instanceof HostAction, wait.getClass().getName());
        assertEquals(((HostAction) wait).host().ref(), wait.target());
        assertTrue(wait.revertible(), "plans show a wait as revertible: there is nothing to undo");
        assertEquals(Reverted.done("read-only check; nothing to undo"), wait.revert(h.ctx("w")));
    }
}
