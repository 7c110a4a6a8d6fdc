package io.drctl.dns.cache;

import io.drctl.host.CommandRunner;
import io.drctl.host.Values;
import java.util.Objects;

/**
 * A host whose resolver cache is flushed (a CS Proxy host), reached through its own runner (one SSH session
 * per host in production).
 *
 * @param name   inventory name for messages, e.g. {@code region1/app-p}
 * @param runner runs commands on that host; its {@link CommandRunner#os()} picks the command dialect
 * @param pidFile the cache's pid file on that host, when the inventory names it (dnsmasq): flushes signal that
 *                process first; else the packaging's locations are searched
 */
public record CacheHost(String name, CommandRunner runner, java.util.Optional<String> pidFile) {
    public CacheHost(String name, CommandRunner runner) {
        this(name, runner, java.util.Optional.empty());
    }

    public CacheHost {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(pidFile, "pidFile");
        pidFile.ifPresent(f -> {
            if (!f.matches("/[A-Za-z0-9_.@+/-]*")) {
                throw new IllegalArgumentException("pid file '" + f + "' is not a safe absolute path");
            }
        });
        for (String part : name.split("/", -1)) {
            Values.name(part);
        }
    }

    @Override
    public String toString() {
        return name + " [" + runner.describe() + "]";
    }
}
