package io.drctl.orchestrator.config.model;

import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.YNode;

/** A model element read from a YAML mapping, which locates its keys and values for problems. */
public interface Sourced {
    /** Where the element starts. */
    Location location();

    /** The element as written. */
    YNode.YMap source();

    /** Where {@code key}'s value is written, else where the key would be. */
    default Location at(String key) {
        YNode n = source().get(key);
        return n != null ? n.location() : location().child(key);
    }

    /** Where the key {@code key} itself is written. */
    default Location keyAt(String key) {
        return source().entries().containsKey(key) ? source().keyLocation(key) : location().child(key);
    }
}
