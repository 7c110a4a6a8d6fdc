package io.drctl.orchestrator.steps;

import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.steps.core.ApprovalStepType;
import io.drctl.orchestrator.steps.core.CommandRule;
import io.drctl.orchestrator.steps.core.ExecStepType;
import io.drctl.orchestrator.steps.core.SshStepType;
import io.drctl.orchestrator.steps.core.WaitTcpStepType;
import io.drctl.orchestrator.steps.db.DbRejoinStepType;
import io.drctl.orchestrator.steps.db.DbReplicaStepType;
import io.drctl.orchestrator.steps.db.DbStepTypes;
import io.drctl.orchestrator.steps.dns.DnsFlushCacheStep;
import io.drctl.orchestrator.steps.dns.DnsKeyCheckStepType;
import io.drctl.orchestrator.steps.dns.DnsTtlStep;
import io.drctl.orchestrator.steps.dns.DnsUpdateStep;
import io.drctl.orchestrator.steps.dns.DnsVerifyStep;
import io.drctl.orchestrator.steps.dns.RecordsInOneRegionRule;
import io.drctl.orchestrator.steps.firewall.FirewallFenceStep;
import io.drctl.orchestrator.steps.firewall.FirewallUnfenceStep;
import io.drctl.orchestrator.steps.firewall.FirewallVerifyStep;
import io.drctl.orchestrator.steps.firewall.SingleDbmsReachableRule;
import io.drctl.orchestrator.steps.vm.VmStatusStepType;
import io.drctl.orchestrator.steps.vm.VmStepTypes;

/**
 * The one list of what drctl ships: every step type and safety rule type, by domain. A new built-in is
 * added here; a third party's type is listed in its jar's {@code META-INF/services} and found by
 * {@link StepTypeRegistry#discover()}.
 */
public final class Builtins {
    private Builtins() {
    }

    /** A registry with every built-in step and rule type, plus the extensions found on the class path. */
    public static StepTypeRegistry registry() {
        return new StepTypeRegistry()
                // core
                .register(new ExecStepType())
                .register(new SshStepType())
                .register(new WaitTcpStepType())
                .register(new ApprovalStepType())
                .register(new CommandRule())
                // dns
                .register(new DnsUpdateStep())
                .register(new DnsVerifyStep())
                .register(new DnsTtlStep())
                .register(new DnsFlushCacheStep())
                .register(new DnsKeyCheckStepType())
                .register(new RecordsInOneRegionRule())
                // firewall
                .register(new FirewallFenceStep())
                .register(new FirewallUnfenceStep())
                .register(new FirewallVerifyStep())
                .register(new SingleDbmsReachableRule())
                // vm
                .register(new VmStepTypes.StartStep())
                .register(new VmStepTypes.StopStep())
                .register(new VmStatusStepType())
                // db
                .register(new DbStepTypes.PromoteStep())
                .register(new DbReplicaStepType())
                .register(new DbRejoinStepType())
                .discover();
    }
}
