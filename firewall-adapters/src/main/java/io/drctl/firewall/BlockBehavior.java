package io.drctl.firewall;

/** What a connecting client sees when a backend's fence blocks it. */
public enum BlockBehavior {
    /** A prompt refusal (TCP RST): iptables/nft {@code REJECT} with tcp-reset. */
    REJECT,
    /** Silence until the client times out: Windows Firewall {@code Block} drops packets. */
    DROP
}
