package io.drctl.orchestrator.config.model;

import java.util.Optional;

/** How VM power is controlled. A closed set: vSphere REST, or a command template. */
public sealed interface Provider permits Provider.Vsphere, Provider.Command {

    String name();

    /**
     * vSphere Automation REST API.
     *
     * @param passwordEnv environment variable holding the password (never the password itself)
     * @param trustStore  PKCS#12 trust store with vCenter's CA, if not the JVM default
     */
    record Vsphere(String name, String url, String user, String passwordEnv, Optional<String> trustStore)
            implements Provider {
    }

    /**
     * A command template; {@code {id}} is replaced by the host's validated {@code vm.id}.
     *
     * @param running regex on the status output meaning "running"
     * @param stopped regex on the status output meaning "stopped"
     */
    record Command(String name, String start, String stop, String status, String running, String stopped)
            implements Provider {
    }
}
