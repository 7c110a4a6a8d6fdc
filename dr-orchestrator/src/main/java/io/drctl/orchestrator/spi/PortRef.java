package io.drctl.orchestrator.spi;

import java.util.Optional;

/**
 * A resolved {@link FieldKind#PORT} field.
 *
 * @param number the TCP port
 * @param name   the inventory's port name when the field named one ({@code port: configServer}), else empty
 */
public record PortRef(int number, Optional<String> name) {
}
