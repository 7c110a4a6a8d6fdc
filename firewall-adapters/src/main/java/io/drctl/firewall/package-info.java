/**
 * Fencing a host's port from source networks, and lifting the fence, on iptables/ip6tables, nftables
 * and Windows Firewall, driven through an {@link io.drctl.host.CommandRunner} (SSH in production,
 * network namespaces in tests).
 *
 * <p>Entry points: {@link io.drctl.firewall.Fence} (what to fence), {@link io.drctl.firewall.FirewallBackends#forHost}
 * (which backend), {@link io.drctl.firewall.FirewallBackend} (probe / apply / remove), {@link io.drctl.firewall.LockoutGuard}
 * (never cut drctl's own access), {@link io.drctl.firewall.FenceVerifier} (prove the effect from outside).
 * Failures are {@link io.drctl.firewall.FirewallException}s classified by kind. Nothing here knows YAML,
 * runbooks or the engine.
 */
package io.drctl.firewall;
