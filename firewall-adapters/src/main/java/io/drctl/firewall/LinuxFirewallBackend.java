package io.drctl.firewall;

import io.drctl.host.CommandRunner;
import java.time.Duration;

/**
 * What the two Linux backends share: their commands run through {@link HostCommands} on one host, and drctl's rules
 * reject with a TCP reset (see {@link IptablesBackend} for why), so a fenced client is refused at once.
 */
abstract class LinuxFirewallBackend implements FirewallBackend {

    final HostCommands cmd;

    /** @param tool the backend's command, named in failures ("iptables", "nft") */
    LinuxFirewallBackend(CommandRunner runner, Duration timeout, String tool) {
        this.cmd = new HostCommands(runner, timeout, tool);
    }

    @Override
    public final BlockBehavior blockBehavior() {
        return BlockBehavior.REJECT;
    }

    @Override
    public final String describe() {
        return cmd.target();
    }
}
