package io.drctl.dns;

import java.time.Duration;

/**
 * A TSIG key proven valid at a server by a signed SOA query (no change made).
 *
 * @param server    the server asked
 * @param key       the key's name (never its secret)
 * @param serial    the zone's SOA serial
 * @param clockSkew our clock minus the server's signing time of its answer (network delay included)
 */
public record KeyCheck(DnsServer server, String key, long serial, Duration clockSkew) {
}
