package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Host;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The targets the operator declared lost ({@code --assume-lost}): drctl treats them as powered off and
 * unreachable and never contacts them: no SSH session, no DNS message, no TCP probe to their address,
 * no VM provider call for their VM. Each refusal is recorded ({@link Skips}) so the journal and the drill
 * report can list what was skipped because of which fault.
 *
 * @param faults    the values as given, in order, e.g. {@code region1/dbms}, {@code region1}, {@code dns:ns1}
 * @param hosts     host ref to the fault that made it lost
 * @param dns       DNS server name to the fault that made it lost
 * @param addresses the address of every lost host to its fault (TCP probes to them are not run; a DNS server
 *                  at such an address is lost too)
 * @param skips     where refusals are recorded
 */
public record LostTargets(List<String> faults, Map<String, String> hosts, Map<String, String> dns,
                          Map<String, String> addresses, Skips skips) {

    /** Nothing is lost. */
    public static final LostTargets NONE = new LostTargets(List.of(), Map.of(), Map.of(), Map.of(), Skips.NONE);

    /** Where a refusal goes: the engine journals it once per action, {@code what} and {@code target}. */
    @FunctionalInterface
    public interface Skips {
        Skips NONE = (fault, what, target) -> { };

        /**
         * @param fault  the {@code --assume-lost} value that caused it
         * @param what   what was not done, e.g. {@code ssh}, {@code dns message}, {@code tcp probe}, {@code vm status}
         * @param target the host ref, DNS server or address not contacted
         */
        void skipped(String fault, String what, String target);
    }

    public LostTargets {
        faults = List.copyOf(faults);
        hosts = Map.copyOf(hosts);
        dns = Map.copyOf(dns);
        addresses = Map.copyOf(addresses);
        Objects.requireNonNull(skips, "skips");
    }

    public boolean isEmpty() {
        return faults.isEmpty();
    }

    /** The fault that makes {@code h} lost, if any. */
    public Optional<String> host(Host h) {
        return Optional.ofNullable(hosts.get(h.ref()));
    }

    /** The fault that makes the DNS server {@code name} (of the inventory's {@code dns:}) lost, if any. */
    public Optional<String> dnsServer(String name) {
        return Optional.ofNullable(dns.get(name));
    }

    /** The fault that makes {@code address} (a lost host's) unreachable, if any. */
    public Optional<String> address(String address) {
        return Optional.ofNullable(addresses.get(address));
    }

    /** Records that {@code what} to {@code target} was not done because of {@code fault}; returns the refusal message. */
    public String refuse(String fault, String what, String target) {
        skips.skipped(fault, what, target);
        return message(fault);
    }

    /** The same lost targets, recording refusals to {@code other}. */
    public LostTargets recordingTo(Skips other) {
        return new LostTargets(faults, hosts, dns, addresses, other);
    }

    /** What a refused contact says, e.g. {@code assumed lost (--assume-lost region1/dbms): not contacted}. */
    public static String message(String fault) {
        return "assumed lost (--assume-lost " + fault + "): not contacted";
    }
}
