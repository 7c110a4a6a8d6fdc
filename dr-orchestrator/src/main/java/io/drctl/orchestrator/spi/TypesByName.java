package io.drctl.orchestrator.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Types by their unique name, in name order: what {@link StepTypeRegistry} (step types) and {@link SafetyRules}
 * (rule types) hold. Thread-safe; register everything before validating.
 *
 * @param <T> the kind of type held
 */
public abstract class TypesByName<T> {
    private final Map<String, T> types = new TreeMap<>();
    private final String kind;
    private final Class<T> service;
    private final Function<T, String> name;

    /**
     * @param kind    what a type is called in messages, e.g. {@code step type}
     * @param service the interface extensions list in {@code META-INF/services}
     * @param name    a type's name
     */
    TypesByName(String kind, Class<T> service, Function<T, String> name) {
        this.kind = kind;
        this.service = service;
        this.name = name;
    }

    /** Adds {@code type}; a second type with the same name is an error. */
    synchronized void add(T type) {
        T previous = types.putIfAbsent(name.apply(type), type);
        if (previous != null && previous != type) {
            throw new IllegalArgumentException(kind + " '" + name.apply(type) + "' registered twice: "
                    + previous.getClass().getName() + " and " + type.getClass().getName());
        }
    }

    /** Adds every type listed as a service (a name already registered wins). */
    void addExtensions() {
        for (T t : Extensions.load(service)) {
            synchronized (this) {
                types.putIfAbsent(name.apply(t), t);
            }
        }
    }

    public synchronized Optional<T> find(String typeName) {
        return Optional.ofNullable(types.get(typeName));
    }

    public synchronized Collection<String> names() {
        return Collections.unmodifiableCollection(new ArrayList<>(types.keySet()));
    }

    public synchronized Collection<T> all() {
        return new ArrayList<>(types.values());
    }
}
