package io.drctl.orchestrator.steps.vm;

import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.vm.CommandTemplates;
import io.drctl.vm.CommandVmProvider;
import io.drctl.vm.SecretRef;
import io.drctl.vm.TrustStoreRef;
import io.drctl.vm.VmException;
import io.drctl.vm.VmProvider;
import io.drctl.vm.VsphereConfig;
import io.drctl.vm.VsphereRestProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** How VM step types and rules reach a host's VM provider from the inventory; vSphere credentials are read from their reference when a request needs them. */
public final class VmAccess {
    private VmAccess() {
    }

    /**
     * The power provider of {@code host}'s VM. Command templates run on this machine; vSphere
     * credentials are read from the referenced environment variable when a request needs them.
     *
     * @param commandTimeout how long one provider command, and settling into the new power state, may take
     */
    /** Each target host has a {@code vm:} of a provider the inventory declares; {@code without}: what the step then cannot do. */
    static void validateVms(io.drctl.orchestrator.spi.StepSpec step, io.drctl.orchestrator.spi.StepValidation v, String without) {
        for (Host h : step.hosts()) {
            if (h.vm().isEmpty()) {
                v.problem("hosts", "host " + h.ref() + " has no `vm:` (provider and id), so " + without,
                        "add vm: { provider: <name>, id: <vm id> } to the host, or narrow the selector");
            } else if (!v.inventory().providers().containsKey(h.vm().get().provider())) {
                v.problem("hosts", "host " + h.ref() + " names VM provider `" + h.vm().get().provider()
                        + "`, which the inventory's `providers` lacks");
            }
        }
    }

    public static VmProvider vmProvider(ActionContext ctx, Host host, Duration commandTimeout) throws StepFailure {
        java.util.Optional<String> fault = ctx.lost().host(host);
        if (fault.isPresent()) {
            return new LostVm(ctx.lost(), fault.get()); // a lost host's VM: its provider is never asked
        }
        return vmProvider(ctx.inventory(), ctx.env(), ctx.clock(), ctx::pause, host, commandTimeout);
    }

    /** The same, outside a step (a safety rule): {@code sleeper} waits between status polls. */
    public static VmProvider vmProvider(io.drctl.orchestrator.config.model.Inventory inventory, Map<String, String> env,
                                        java.time.Clock clock, io.drctl.host.Sleeper sleeper, Host host,
                                        Duration commandTimeout) throws StepFailure {
        Provider p = inventory.providers().get(host.vm().orElseThrow().provider());
        try {
            if (p instanceof Provider.Command c) {
                return new CommandVmProvider(c.name(),
                        CommandTemplates.of(c.start(), c.stop(), c.status(), c.running(), c.stopped()),
                        LocalCommandRunner.local(), commandTimeout, commandTimeout, Duration.ofSeconds(1), clock, sleeper);
            }
            Provider.Vsphere v = (Provider.Vsphere) p; // sealed: the only other kind
            VsphereConfig config = VsphereConfig.of(URI.create(v.url()), v.user(), SecretRef.env(v.passwordEnv()),
                    v.trustStore().map(t -> new TrustStoreRef(Path.of(t), "PKCS12", Optional.empty())).orElse(null));
            return new VsphereRestProvider(config, env);
        } catch (VmException e) {
            throw new StepFailure(host.ref() + ": VM provider `" + p.name() + "`: " + e.getMessage(), e.isRetriable(), e);
        } catch (IllegalArgumentException e) {
            throw new StepFailure(host.ref() + ": VM provider `" + p.name() + "`: " + e.getMessage(), false, e);
        }
    }


    /**
     * Proof that {@code host} is powered off: its VM provider reports the VM stopped (a read-only status
     * call). Empty when the host has no VM, or the provider cannot be asked or says otherwise.
     */
    public static Optional<String> poweredOff(Inventory inventory, Map<String, String> env, java.time.Clock clock, Host host) {
        return poweredOff(inventory, env, clock, host, io.drctl.orchestrator.spi.LostTargets.NONE);
    }

    /** The same, where a host assumed lost is powered off by assumption: its provider is not asked. */
    public static Optional<String> poweredOff(Inventory inventory, Map<String, String> env, java.time.Clock clock, Host host,
                                              io.drctl.orchestrator.spi.LostTargets lost) {
        Optional<String> fault = lost.host(host);
        if (fault.isPresent()) {
            return Optional.of(lost.refuse(fault.get(), "vm status", host.ref()) + "; treated as powered off");
        }
        if (host.vm().isEmpty() || !inventory.providers().containsKey(host.vm().get().provider())) {
            return Optional.empty();
        }
        String id = host.vm().get().id();
        try (VmProvider p = vmProvider(inventory, env, clock, d -> Thread.sleep(d.toMillis()), host, Duration.ofSeconds(10))) {
            io.drctl.vm.PowerState st = p.status(new io.drctl.vm.VmRef(host.ref(), id));
            return st.isStopped() ? Optional.of("VM " + id + " reported stopped by " + p.describe()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty(); // cannot prove it: the host stays unjudged
        }
    }
}
