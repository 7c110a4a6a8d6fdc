package io.drctl.orchestrator.steps.adapters;

import io.drctl.dbms.PostgresInstance;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsZone;
import io.drctl.dns.TsigKey;
import io.drctl.dns.TsigKeyException;
import io.drctl.dns.TsigKeys;
import io.drctl.host.LocalCommandRunner;
import io.drctl.orchestrator.model.Dns;
import io.drctl.orchestrator.model.Host;
import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.model.Provider;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.vm.CommandTemplates;
import io.drctl.vm.CommandVmProvider;
import io.drctl.vm.SecretRef;
import io.drctl.vm.TrustStoreRef;
import io.drctl.vm.VmException;
import io.drctl.vm.VmProvider;
import io.drctl.vm.VsphereConfig;
import io.drctl.vm.VsphereRestProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How step types (changing ones and read-only checks alike) reach the adapters from the inventory:
 * the DNS zone and TSIG key, a host's VM provider, a host's PostgreSQL instance, and pauses that end
 * with the step's deadline. Secrets are resolved here from their references and never leave the
 * adapter objects.
 */
public final class AdapterAccess {
    private AdapterAccess() {
    }

    /** Pauses {@code d}, bounded by the step's deadline; a cancelled step surfaces as an interrupt to the adapter. */
    public static void pause(ActionContext ctx, Duration d) throws InterruptedException {
        try {
            ctx.cancellation().pause(d);
        } catch (CancelledException e) {
            InterruptedException ie = new InterruptedException(e.getMessage());
            ie.initCause(e);
            throw ie;
        }
    }

    /** The inventory's zone: updates go to the first server, verification asks every one. */
    public static DnsZone dnsZone(Inventory inv) {
        Dns dns = inv.dns().orElseThrow();
        List<DnsServer> servers = dns.servers().stream().map(s -> new DnsServer(s.name(), s.address(), s.port())).toList();
        return new DnsZone(dns.zone(), servers.get(0), servers);
    }

    /** The TSIG key the inventory references (key file or environment variable); empty when none is set. */
    public static Optional<TsigKey> tsigKey(ActionContext ctx) throws StepFailure {
        Optional<Dns.TsigRef> ref = ctx.inventory().dns().orElseThrow().tsig();
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (ref.get().keyFile().isPresent()) {
                return Optional.of(TsigKeys.fromFile(expandHome(ref.get().keyFile().get(), ctx.env()), Optional.empty()));
            }
            return Optional.of(TsigKeys.fromEnvironment(ctx.env(), ref.get().keyEnv().orElseThrow()));
        } catch (TsigKeyException e) {
            throw new StepFailure("TSIG key (" + ref.get() + "): " + e.getMessage(), false, e);
        }
    }

    static Path expandHome(String path, Map<String, String> env) {
        if (path.startsWith("~/")) {
            return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), path.substring(2));
        }
        return Path.of(path);
    }

    /**
     * The power provider of {@code host}'s VM. Command templates run on this machine; vSphere
     * credentials are read from the referenced environment variable when a request needs them.
     *
     * @param commandTimeout how long one provider command, and settling into the new power state, may take
     */
    public static VmProvider vmProvider(ActionContext ctx, Host host, Duration commandTimeout) throws StepFailure {
        return vmProvider(ctx.inventory(), ctx.env(), ctx.clock(), d -> pause(ctx, d), host, commandTimeout);
    }

    /** The same, outside a step (a safety rule): {@code sleeper} waits between status polls. */
    public static VmProvider vmProvider(io.drctl.orchestrator.model.Inventory inventory, Map<String, String> env,
                                        java.time.Clock clock, io.drctl.host.Sleeper sleeper, Host host,
                                        Duration commandTimeout) throws StepFailure {
        Provider p = inventory.providers().get(host.vm().orElseThrow().provider());
        try {
            if (p instanceof Provider.Command c) {
                return new CommandVmProvider(c.name(),
                        CommandTemplates.of(c.start(), c.stop(), c.status(), c.running(), c.stopped()),
                        LocalCommandRunner.local(), commandTimeout, commandTimeout, Duration.ofSeconds(1), clock, sleeper);
            }
            Provider.Vsphere v = (Provider.Vsphere) p; // sealed: the only other kind
            VsphereConfig config = VsphereConfig.of(URI.create(v.url()), v.user(), SecretRef.env(v.passwordEnv()),
                    v.trustStore().map(t -> new TrustStoreRef(Path.of(t), "PKCS12", Optional.empty())).orElse(null));
            return new VsphereRestProvider(config, env);
        } catch (VmException e) {
            throw new StepFailure(host.ref() + ": VM provider `" + p.name() + "`: " + e.getMessage(), e.isRetriable(), e);
        } catch (IllegalArgumentException e) {
            throw new StepFailure(host.ref() + ": VM provider `" + p.name() + "`: " + e.getMessage(), false, e);
        }
    }

    /** Where PostgreSQL puts its socket when the host's {@code db.socketDir} does not say (Debian, RHEL). */
    public static final String DEFAULT_SOCKET_DIR = "/var/run/postgresql";

    /**
     * {@code host}'s PostgreSQL as seen on the host itself (over SSH). Its facts come from the host's
     * {@code db:} in the inventory: socket directory ({@code db.socketDir}, else {@value #DEFAULT_SOCKET_DIR}),
     * port ({@code db.port} or the inventory's {@code dbms} port), OS user, binary directory
     * ({@code db.binDir}, else Debian's for the version) and data directory. {@code socketDirOverride} is a
     * step's explicit {@code socketDir:}, which wins.
     */
    public static PostgresInstance postgres(Host host, Inventory inv, Optional<String> socketDirOverride) {
        Host.DbSpec db = host.db().orElseThrow();
        int port = db.port().orElseGet(() -> inv.ports().getOrDefault("dbms", 5432));
        String socketDir = socketDirOverride.or(db::socketDir).orElse(DEFAULT_SOCKET_DIR);
        Optional<Path> binDir = db.binDir().map(Path::of)
                .or(() -> db.version().map(ver -> Path.of("/usr/lib/postgresql/" + ver + "/bin")));
        return new PostgresInstance(host.ref(), socketDir, port, Optional.of(db.osUser().orElse("postgres")),
                "postgres", "postgres", binDir, db.dataDir().map(Path::of));
    }

    /** {@code socketDir}, when given, must be a path {@link PostgresInstance} accepts. */
    public static void validateSocketDir(io.drctl.orchestrator.spi.StepSpec step, io.drctl.orchestrator.spi.StepValidation v) {
        step.fields().optString("socketDir").ifPresent(d -> {
            if (!PostgresInstance.isSafePath(d)) {
                v.problem("socketDir", "socketDir '" + io.drctl.orchestrator.yaml.Fields.shorten(d)
                        + "' is not a safe absolute path", "letters, digits and _ . @ + - / only, e.g. /var/run/postgresql");
            }
        });
    }

}
