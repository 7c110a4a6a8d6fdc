package io.drctl.lab;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every host of the lab, as {@code lab/up} builds it (see LAB-CONTRACT / lab/README.md).
 * The network-namespace name ({@link #id()}) is the host's id everywhere: {@code lab/exec},
 * {@code lab/vmctl} and {@code vm.id} in {@code inventory/lab.yaml}.
 */
public enum LabHost {
    DNS("drl-dns", "", "dns", "10.77.0.53", Role.DNS),
    R1_MFWK_P("drl-r1-mfwkp", "region1", "mfwk-p", "10.77.1.10", Role.FRAMEWORK),
    R1_MFWK_B("drl-r1-mfwkb", "region1", "mfwk-b", "10.77.1.11", Role.FRAMEWORK),
    R1_APP_P("drl-r1-appp", "region1", "app-p", "10.77.1.20", Role.APP),
    R1_APP_B("drl-r1-appb", "region1", "app-b", "10.77.1.21", Role.APP),
    R1_DBMS("drl-r1-dbms", "region1", "dbms", "10.77.1.30", Role.DBMS),
    // region 2's Framework hosts: a fresh lab/up leaves them powered off
    R2_MFWK_P("drl-r2-mfwkp", "region2", "mfwk-p", "10.77.2.10", Role.FRAMEWORK),
    R2_MFWK_B("drl-r2-mfwkb", "region2", "mfwk-b", "10.77.2.11", Role.FRAMEWORK),
    R2_APP_P("drl-r2-appp", "region2", "app-p", "10.77.2.20", Role.APP),
    R2_APP_B("drl-r2-appb", "region2", "app-b", "10.77.2.21", Role.APP),
    R2_DBMS("drl-r2-dbms", "region2", "dbms", "10.77.2.30", Role.DBMS);

    /** What a host runs besides sshd. */
    public enum Role {
        /** BIND 9, authoritative for the lab zone. */
        DNS,
        /** Configuration Server stand-in on port 2020. */
        FRAMEWORK,
        /** dnsmasq caching resolver on 127.0.0.1:53, used by the host's resolv.conf. */
        APP,
        /** PostgreSQL 15 (primary in region 1, streaming replica in region 2). */
        DBMS
    }

    private final String id;
    private final String region;
    private final String name;
    private final String address;
    private final Role role;

    LabHost(String id, String region, String name, String address, Role role) {
        this.id = id;
        this.region = region;
        this.name = name;
        this.address = address;
        this.role = role;
    }

    /** Network namespace name, e.g. {@code drl-r1-mfwkp}; also the VM id for {@code lab/vmctl}. */
    public String id() {
        return id;
    }

    /** Inventory region ({@code region1}, {@code region2}); empty for the DNS host. */
    public String region() {
        return region;
    }

    /** Inventory host name within its region, e.g. {@code mfwk-p}. */
    public String inventoryName() {
        return name;
    }

    /** IPv4 address on the lab bridge (10.77.0.0/16). */
    public String address() {
        return address;
    }

    public Role role() {
        return role;
    }

    /**
     * The host named by its id ({@code drl-r2-dbms}) or its inventory coordinates
     * ({@code region2/dbms}).
     */
    public static Optional<LabHost> find(String idOrRegionSlashName) {
        return Arrays.stream(values())
                .filter(h -> h.id.equals(idOrRegionSlashName)
                        || (!h.region.isEmpty() && (h.region + "/" + h.name).equals(idOrRegionSlashName)))
                .findFirst();
    }

    /** Like {@link #find} but fails with the list of valid ids. */
    public static LabHost of(String idOrRegionSlashName) {
        return find(idOrRegionSlashName).orElseThrow(() -> new IllegalArgumentException(
                "unknown lab host '" + idOrRegionSlashName + "': expected one of "
                        + Arrays.stream(values()).map(LabHost::id).toList() + " or region/name"));
    }
}
