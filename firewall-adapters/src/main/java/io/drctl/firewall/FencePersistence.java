package io.drctl.firewall;

import java.util.List;
import java.util.Objects;

/**
 * Whether a host's firewall rules for a fence survive a reboot, as far as drctl can read it.
 *
 * @param state        how the host persists its firewall
 * @param where        the persisted files drctl read or wrote (empty when none)
 * @param savedBlocked the fence's sources that the persisted rules block (SAVED only)
 * @param savedRules   the persisted rules that block (part of) a source on the port (SAVED only)
 * @param detail       one line for humans (what to do when nothing persists)
 */
public record FencePersistence(State state, List<String> where, List<Cidr> savedBlocked, List<String> savedRules, String detail) {

    public enum State {
        /** The host restores its rules at boot from files drctl can read and write (netfilter-persistent, iptables-services, an nft include). */
        SAVED,
        /** The host has no firewall persistence drctl knows: live rules are lost at reboot. */
        NONE,
        /** The firewall keeps its rules itself (Windows Firewall). */
        BUILT_IN,
        /** Not determined. */
        UNKNOWN
    }

    public FencePersistence {
        Objects.requireNonNull(state, "state");
        where = List.copyOf(where);
        savedBlocked = List.copyOf(savedBlocked);
        savedRules = List.copyOf(savedRules);
        Objects.requireNonNull(detail, "detail");
    }

    public static FencePersistence none(String detail) {
        return new FencePersistence(State.NONE, List.of(), List.of(), List.of(), detail);
    }

    public static FencePersistence builtIn() {
        return new FencePersistence(State.BUILT_IN, List.of(), List.of(), List.of(), "Windows Firewall rules are persistent");
    }

    public static FencePersistence unknown(String why) {
        return new FencePersistence(State.UNKNOWN, List.of(), List.of(), List.of(), why);
    }

    /**
     * Whether a reboot keeps the state wanted: the persisted rules block every source ({@code fenced}) or none ({@code !fenced}).
     * False when nothing persists; true for {@link State#BUILT_IN}.
     */
    public boolean survivesReboot(Fence fence, boolean fenced) {
        return switch (state) {
            case BUILT_IN -> true;
            case NONE, UNKNOWN -> false;
            case SAVED -> fenced ? savedBlocked.containsAll(fence.sources()) : savedRules.isEmpty();
        };
    }

    /** One line: "persisted in /etc/iptables/rules.v4", "NOT persisted: ...", "a reboot would bring back ...". */
    public String describe(Fence fence, boolean fenced) {
        return switch (state) {
            case BUILT_IN -> detail;
            case UNKNOWN -> "persistence unknown: " + detail;
            case NONE -> "not persisted: " + detail;
            case SAVED -> survivesReboot(fence, fenced)
                    ? "persisted in " + String.join(", ", where)
                    : fenced ? "would NOT survive a reboot: " + String.join(", ", where) + " "
                            + (savedBlocked.isEmpty() ? "block(s) none of its sources" : "block(s) only " + savedBlocked)
                    : "a reboot would bring back " + savedRules.size() + " blocking rule(s) from " + String.join(", ", where);
        };
    }
}
