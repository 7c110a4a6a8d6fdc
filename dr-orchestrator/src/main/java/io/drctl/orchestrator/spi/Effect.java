package io.drctl.orchestrator.spi;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a step can change on the site, and what a safety rule reads. After a step, the engine re-evaluates
 * only the rules that read something the steps finished since the last evaluation could have changed
 * ({@link StepType#effects}, {@link SafetyRule#reads}). A step type or rule type that does not say is taken
 * to change, or to read, everything: an extension is always re-checked.
 */
public enum Effect {
    /** Packet-filter rules on a host (a fence). */
    FIREWALL,
    /** Whether a host or VM runs. */
    POWER,
    /** Whether a DBMS server runs and accepts connections (a restart, a stop). */
    DB_SERVICE,
    /** A DBMS server's role (primary or replica) without a restart. */
    DB_ROLE,
    /** Authoritative DNS records (values, TTLs). */
    DNS_RECORDS,
    /** Resolver caches on hosts. */
    RESOLVER_CACHE;

    /** Everything: what a step or rule of unknown effect is taken to touch. */
    public static Set<Effect> all() {
        return EnumSet.allOf(Effect.class);
    }
}
