package io.drctl.orchestrator.steps;

import io.drctl.orchestrator.spi.StepTypeRegistry;

/** The step types the engine ships: exec, ssh, wait.tcp, approval. */
public final class BuiltinStepTypes {
    private BuiltinStepTypes() {
    }

    /** A registry with the built-in types plus every type found through {@link java.util.ServiceLoader}. */
    public static StepTypeRegistry registry() {
        return new StepTypeRegistry()
                .register(new ExecStepType())
                .register(new SshStepType())
                .register(new WaitTcpStepType())
                .register(new ApprovalStepType())
                .discover();
    }
}
