package io.drctl.firewall;

import io.drctl.host.Values;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Refuses fences that would cut drctl off from the host it is fencing: any fence on the SSH port
 * (22 always, and the port drctl actually uses), and any fence whose sources contain an address drctl
 * connects from.
 *
 * @param sshPort             the SSH port drctl uses for this host
 * @param controllerAddresses the addresses drctl's connections to the host come from (as the host sees them:
 *                            behind NAT or a jump host, give that address); may be empty only when unknown
 */
public record LockoutGuard(int sshPort, List<String> controllerAddresses) {

    public LockoutGuard {
        Values.port(sshPort);
        controllerAddresses = List.copyOf(controllerAddresses);
        controllerAddresses.forEach(Values::ip);
    }

    public static LockoutGuard of(int sshPort, String... controllerAddresses) {
        return new LockoutGuard(sshPort, List.of(controllerAddresses));
    }

    /**
     * Throws if {@code fence} would lock drctl out of {@code target}; lists every reason at once.
     *
     * @throws FirewallException of kind LOCKOUT_REFUSED
     */
    public void check(Fence fence, String target) throws FirewallException {
        Objects.requireNonNull(fence, "fence");
        List<String> problems = new ArrayList<>();
        if (fence.port() == 22 || fence.port() == sshPort) {
            problems.add("port " + fence.port() + " is the SSH port" + (sshPort != 22 ? " (22 and configured " + sshPort + " are protected)" : ""));
        }
        for (String a : controllerAddresses) {
            InetAddress addr = Cidr.literal(a);
            for (Cidr c : fence.sources()) {
                if (c.contains(addr)) {
                    problems.add("source " + c + " contains drctl's own address " + a);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new FirewallException(FirewallException.Kind.LOCKOUT_REFUSED, target,
                    "refusing " + fence + ": it would lock drctl out: " + String.join("; ", problems));
        }
    }
}
