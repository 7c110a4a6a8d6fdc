package io.drctl.orchestrator.config.load;

import io.drctl.host.Values;

/** Address checks shared by the loaders. */
final class Addresses {
    private Addresses() {
    }

    /** An IP literal or a host name; dotted digits must be a valid IPv4 (so 10.0.0.300 is rejected). */
    static boolean isAddress(String s) {
        if (s == null) {
            return false;
        }
        if (s.matches("[0-9.]+")) {
            return Values.isIpv4(s);
        }
        return Values.isIp(s) || Values.isHostname(s);
    }
}
