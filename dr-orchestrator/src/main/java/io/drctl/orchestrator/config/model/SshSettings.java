package io.drctl.orchestrator.config.model;

import java.time.Duration;
import java.util.Optional;

/**
 * SSH settings: inventory defaults, or a host's partial overrides (absent fields inherit).
 *
 * @param user           login user
 * @param port           SSH port
 * @param identityFile   private key file (a reference; the key is never in the inventory)
 * @param knownHosts     known_hosts file used for strict host-key checking
 * @param connectTimeout TCP + handshake timeout
 * @param jumpHost       a host of this inventory ({@code region/name}) reached first
 */
public record SshSettings(Optional<String> user, Optional<Integer> port, Optional<String> identityFile,
                          Optional<String> knownHosts, Optional<Duration> connectTimeout, Optional<String> jumpHost) {

    public static SshSettings empty() {
        return new SshSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** These settings with absent fields taken from {@code defaults}. */
    public SshSettings over(SshSettings defaults) {
        return new SshSettings(user.or(defaults::user), port.or(defaults::port), identityFile.or(defaults::identityFile),
                knownHosts.or(defaults::knownHosts), connectTimeout.or(defaults::connectTimeout),
                jumpHost.or(defaults::jumpHost));
    }
}
