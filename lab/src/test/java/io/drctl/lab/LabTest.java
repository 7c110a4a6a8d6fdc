package io.drctl.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabTest {

    @Test
    void findRepoRoot_fromModuleDirectory_findsCheckoutWithLabUp() {
        Path root = Lab.findRepoRoot(null, null, Path.of("").toAbsolutePath());
        assertTrue(Files.isRegularFile(root.resolve("lab/up")), root.toString());
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root.toString());
    }

    @Test
    void findRepoRoot_explicitDirWithoutLab_failsNamingIt(@TempDir Path dir) {
        LabException e = assertThrows(LabException.class, () -> Lab.findRepoRoot(dir.toString(), null, dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void findRepoRoot_noCheckoutAbove_fails(@TempDir Path dir) {
        assertThrows(LabException.class, () -> Lab.findRepoRoot(null, null, dir));
    }

    @Test
    void stateDir_envOverride_winsOverRunningLabAndDefault(@TempDir Path dir) {
        Optional<Path> running = Optional.of(Path.of("/other/lab/state"));
        assertEquals(dir, Lab.stateDir(Map.of(Lab.STATE_ENV, dir.toString()), Path.of("/repo"), running));
        assertEquals(Path.of("/other/lab/state"), Lab.stateDir(Map.of(), Path.of("/repo"), running));
        assertEquals(Path.of("/repo/lab/state"), Lab.stateDir(Map.of(), Path.of("/repo"), Optional.empty()));
    }

    @Test
    void parseBridgeAlias_onlyLabAliasesWithAbsolutePath() {
        assertEquals(Optional.of(Path.of("/w/lab/state")), Lab.parseBridgeAlias("drctl-lab:/w/lab/state\n"));
        assertEquals(Optional.empty(), Lab.parseBridgeAlias("something else"));
        assertEquals(Optional.empty(), Lab.parseBridgeAlias("drctl-lab:relative"));
    }

    @Test
    void labHost_find_acceptsIdAndRegionSlashName() {
        assertEquals(LabHost.R2_MFWK_P, LabHost.of("drl-r2-mfwkp"));
        assertEquals(LabHost.R2_MFWK_P, LabHost.of("region2/mfwk-p"));
        assertEquals(LabHost.DNS, LabHost.of("drl-dns"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabHost.of("region3/dbms"));
        assertTrue(e.getMessage().contains("region3/dbms"), e.getMessage());
    }

    @Test
    void labHost_values_haveUniqueIdsAndAddressesInLabRange() {
        Set<String> ids = Arrays.stream(LabHost.values()).map(LabHost::id).collect(Collectors.toSet());
        Set<String> addrs = Arrays.stream(LabHost.values()).map(LabHost::address).collect(Collectors.toSet());
        assertEquals(LabHost.values().length, ids.size());
        assertEquals(LabHost.values().length, addrs.size());
        for (LabHost h : LabHost.values()) {
            assertTrue(h.id().startsWith("drl-") && h.id().length() <= 15, h.id()); // also a veth name
            assertTrue(h.address().startsWith("10.77."), h.address());
        }
    }

    @Test
    void labHost_ids_matchTheScriptsHostTable() throws Exception {
        // lab/lib/common.sh is the scripts' source of truth; the enum must list the same hosts.
        String common = Files.readString(Lab.repoRoot().resolve("lab/lib/common.sh"));
        for (LabHost h : LabHost.values()) {
            assertTrue(common.contains("[" + h.id() + "]=" + h.address()), h.id() + " " + h.address());
        }
    }

    @Test
    void tcpOutcome_parse_rejectsUnknownWord() {
        assertEquals(TcpOutcome.REFUSED, TcpOutcome.parse("refused\n"));
        assertThrows(LabException.class, () -> TcpOutcome.parse("maybe"));
    }

    @Test
    void tail_keepsLastLines() {
        assertEquals("b\nc", Lab.tail("a\nb\nc\n", 2));
    }
}
