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
 */
public record CacheHost(String name, CommandRunner runner) {
    public CacheHost {
        Objects.requireNonNull(runner, "runner");
        for (String part : name.split("/", -1)) {
            Values.name(part);
        }
    }

    @Override
    public String toString() {
        return name + " [" + runner.describe() + "]";
    }
}
