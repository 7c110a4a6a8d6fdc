package io.drctl.orchestrator.config.model;

import java.util.List;
import java.util.Optional;

/**
 * DNS settings.
 *
 * @param zone    the zone drctl updates, with trailing dot
 * @param servers every authoritative server (updates go to the first; verification asks each)
 * @param tsig    reference to the TSIG key (file or environment variable), never the key itself
 * @param ttl     TTL in seconds written with updated records
 */
public record Dns(String zone, List<Server> servers, Optional<TsigRef> tsig, int ttl) {
    public Dns {
        servers = List.copyOf(servers);
    }

    /** One authoritative server. */
    public record Server(String name, String address, int port) {
    }

    /**
     * Where the TSIG key lives: a BIND key file ({@code keyFile}) or an environment variable
     * ({@code keyEnv}, holding {@code algorithm:name:base64secret}). Exactly one is set.
     */
    public record TsigRef(Optional<String> keyFile, Optional<String> keyEnv) {
        public TsigRef {
            if (keyFile.isPresent() == keyEnv.isPresent()) {
                throw new IllegalArgumentException("TSIG reference needs exactly one of keyFile, keyEnv");
            }
        }

        @Override
        public String toString() {
            return keyFile.map(f -> "keyFile " + f).orElseGet(() -> "keyEnv " + keyEnv.orElseThrow());
        }
    }
}
