package io.drctl.orchestrator.steps.vm;

import io.drctl.orchestrator.spi.LostTargets;
import io.drctl.vm.Power;
import io.drctl.vm.PowerResult;
import io.drctl.vm.PowerState;
import io.drctl.vm.VmException;
import io.drctl.vm.VmProvider;
import io.drctl.vm.VmRef;

/**
 * The VM of a host assumed lost ({@code --assume-lost}): the provider is never asked. Its power state is
 * "stopped" (a lost host is treated as powered off); starting or stopping it fails as unreachable.
 *
 * @param fault the fault that makes the host lost (as {@link LostTargets#host} finds it), named in every refusal
 */
record LostVm(LostTargets lost, String fault) implements VmProvider {

    @Override
    public PowerState status(VmRef vm) {
        return new PowerState(Power.STOPPED, lost.refuse(fault, "vm status", vm.name()) + "; treated as powered off");
    }

    @Override
    public PowerResult start(VmRef vm) throws VmException {
        throw new VmException(VmException.Kind.UNREACHABLE, vm.name(), lost.refuse(fault, "vm start", vm.name()));
    }

    @Override
    public PowerResult stop(VmRef vm) throws VmException {
        throw new VmException(VmException.Kind.UNREACHABLE, vm.name(), lost.refuse(fault, "vm stop", vm.name()));
    }

    @Override
    public String describe() {
        return "no provider (" + LostTargets.message(fault) + ")";
    }
}
