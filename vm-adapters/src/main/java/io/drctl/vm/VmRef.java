package io.drctl.vm;

import io.drctl.host.Values;
import java.util.Objects;

/**
 * One virtual machine as a provider knows it.
 *
 * @param name inventory name used in logs and errors, e.g. {@code region2/mfwk-p}
 * @param id   the provider's identifier: a vSphere managed-object id ({@code vm-2001}), a libvirt domain, an
 *             EC2 instance id, a lab host name. Validated with {@link Values#name(String)}: letters, digits,
 *             {@code _ . -} only, so it can be placed in a URL path or a command line as-is.
 */
public record VmRef(String name, String id) {
    public VmRef {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("VM name is blank (expected an inventory name like region2/mfwk-p)");
        }
        Values.name(id);
    }

    /** A VM whose inventory name is its id. */
    public static VmRef of(String id) {
        return new VmRef(id, id);
    }

    @Override
    public String toString() {
        return name.equals(id) ? id : name + " (" + id + ")";
    }
}
