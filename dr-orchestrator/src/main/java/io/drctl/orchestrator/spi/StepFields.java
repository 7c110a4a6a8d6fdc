package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.yaml.Location;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A step's type-specific fields after substitution and conversion (see {@link FieldKind} for the
 * Java type of each kind). Absent optional fields are simply absent.
 */
public final class StepFields {
    private final Map<String, Object> values;
    private final Map<String, Location> locations;
    private final Location stepLocation;

    public StepFields(Map<String, Object> values, Map<String, Location> locations, Location stepLocation) {
        this.values = Map.copyOf(values);
        this.locations = Map.copyOf(locations);
        this.stepLocation = Objects.requireNonNull(stepLocation, "stepLocation");
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Where the field is written (or the step, when absent): for problems and errors. */
    public Location location(String name) {
        return locations.getOrDefault(name, stepLocation.child(name));
    }

    public <T> Optional<T> get(String name, Class<T> type) {
        return Optional.ofNullable(values.get(name)).map(type::cast);
    }

    /** A required field (declared {@code required}, so validation guaranteed it). */
    public String string(String name) {
        return get(name, String.class).orElseThrow(() -> new IllegalStateException("field `" + name + "` is absent"));
    }

    public Optional<String> optString(String name) {
        return get(name, String.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String name) {
        return (List<String>) values.getOrDefault(name, List.of());
    }

    public Optional<Integer> integer(String name) {
        return get(name, Integer.class);
    }

    /** A {@link FieldKind#NUMBER} field. */
    public Optional<Double> number(String name) {
        return get(name, Double.class);
    }

    public boolean bool(String name, boolean defaultValue) {
        return get(name, Boolean.class).orElse(defaultValue);
    }

    public Optional<Duration> duration(String name) {
        return get(name, Duration.class);
    }

    /** A {@link FieldKind#PORT} field as a number. */
    public Optional<Integer> port(String name) {
        return get(name, PortRef.class).map(PortRef::number);
    }

    /** A {@link FieldKind#PORT} field as written: its number and, when it named one, the inventory's port name. */
    public Optional<PortRef> portRef(String name) {
        return get(name, PortRef.class);
    }

    /** A {@link FieldKind#SELECTOR} field's hosts. */
    @SuppressWarnings("unchecked")
    public List<Host> hosts(String name) {
        return (List<Host>) values.getOrDefault(name, List.of());
    }

    /** A {@link FieldKind#RECORDS} field's records. */
    @SuppressWarnings("unchecked")
    public List<DnsRecord> records(String name) {
        return (List<DnsRecord>) values.getOrDefault(name, List.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> map(String name) {
        return (Map<String, String>) values.getOrDefault(name, Map.of());
    }

    /** Field names present. */
    public java.util.Set<String> names() {
        return values.keySet();
    }

    /** Debug view without values (values may be long; secrets are never allowed in fields). */
    @Override
    public String toString() {
        return "StepFields" + values.keySet();
    }
}
