package io.drctl.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to reach one host over SSH. Keys are file references, never inline.
 *
 * @param name           inventory name used in logs, e.g. {@code region1/dbms}
 * @param address        IP or host name
 * @param port           SSH port
 * @param user           login user
 * @param identityFile   private key file (OpenSSH format)
 * @param knownHosts     known_hosts file; strict host-key checking is always on unless {@code strictHostKeys} is false
 * @param strictHostKeys false only when an operator explicitly opts out (journaled by the caller)
 * @param connectTimeout TCP + handshake timeout
 * @param os             command dialect of the host
 * @param jump           optional jump host reached first
 */
public record SshTarget(String name, String address, int port, String user, Path identityFile, Path knownHosts,
                        boolean strictHostKeys, Duration connectTimeout, CommandRunner.OsFamily os,
                        Optional<SshTarget> jump) {
    public SshTarget {
        Objects.requireNonNull(name, "name");
        Values.address(address);
        Values.port(port);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(jump, "jump");
    }

    public String describe() {
        return "ssh " + user + "@" + address + ":" + port + " (" + name + ")";
    }
}
