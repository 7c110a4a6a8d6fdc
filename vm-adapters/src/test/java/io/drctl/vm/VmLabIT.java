package io.drctl.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Shell;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * vm.start through the command provider on the lab: {@code lab/vmctl} powers on region 2's dormant Framework host
 * mfwk-p, and the start completes only when its SSH server and Configuration Server port answer from outside.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmLabIT {

    private static final LabHost HOST = LabHost.R2_MFWK_P;
    private static final Pattern CS_OK = Pattern.compile("^CS OK db=");

    /** True if this class brought the lab up, so it takes it down again. */
    private static boolean broughtUp;

    @BeforeAll
    static void dormantHost() {
        assumeTrue(Lab.isRoot(), "the lab needs root; skipped on this non-root machine");
        broughtUp = !java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns/" + LabHost.DNS.id()));
        Lab.up();
        Lab.vmctl("stop", HOST); // dormant, as in the reference architecture
    }

    @AfterAll
    static void backToDormant() {
        if (Lab.isRoot()) {
            Lab.vmctl("stop", HOST);
            if (broughtUp) {
                Lab.down();
            }
        }
    }

    private static CommandVmProvider labProvider() {
        String vmctl = Shell.quote(Lab.script("vmctl").toString());
        CommandTemplates t = CommandTemplates.of(vmctl + " start {id}", vmctl + " stop {id}", vmctl + " status {id}",
                "^running", "^stopped");
        return CommandVmProvider.of("lab", t, LocalCommandRunner.local());
    }

    private static List<ReadinessCheck> guestChecks() {
        return List.of(ReadinessCheck.ssh(HOST.address(), Lab.SSH_PORT, Duration.ofSeconds(2)),
                ReadinessCheck.greeting(HOST.address(), Lab.CONFIG_SERVER_PORT, CS_OK, Duration.ofSeconds(3)));
    }

    /** First line the port sends, or the failure, checked here independently of the code under test. */
    private static String firstLine(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST.address(), port), 2000);
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n' && b.length() < 200) {
                b.append((char) c);
            }
            return b.toString().strip();
        } catch (IOException e) {
            return "error: " + e.getClass().getSimpleName();
        }
    }

    @Test
    @Order(1)
    void status_dormantHost_isStoppedAndAnswersNothing() throws Exception {
        PowerState s = labProvider().status(new VmRef(HOST.region() + "/" + HOST.inventoryName(), HOST.id()));

        assertEquals(Power.STOPPED, s.power(), s.toString());
        assertTrue(firstLine(Lab.SSH_PORT).startsWith("error:"));
        assertEquals(List.of(false, false), GuestWait.checkOnce(guestChecks()).stream().map(CheckOutcome::ready).toList());
    }

    @Test
    @Order(2)
    void start_dormantFrameworkHost_completesWhenSshAndConfigServerAnswer() throws Exception {
        VmRef vm = new VmRef(HOST.region() + "/" + HOST.inventoryName(), HOST.id());

        PowerResult power = labProvider().start(vm);
        GuestReady guest = GuestWait.system().await(vm.name(), guestChecks(), Duration.ofSeconds(60));

        assertEquals(PowerResult.Outcome.CHANGED, power.outcome());
        System.out.println("started " + vm + ": guest ready after " + guest.elapsed().toMillis()
                + " ms of waiting, " + guest.attempts() + " rounds");
        // proven from outside, independently of the checks used by the code under test
        assertTrue(firstLine(Lab.SSH_PORT).startsWith("SSH-"), "ssh banner");
        assertTrue(firstLine(Lab.CONFIG_SERVER_PORT).startsWith("CS OK db="), "config server greeting");
        assertTrue(Lab.isRunning(HOST));
    }

    @Test
    @Order(3)
    void start_runningHost_isAlreadySatisfied() throws Exception {
        PowerResult r = labProvider().start(new VmRef(HOST.region() + "/" + HOST.inventoryName(), HOST.id()));

        assertEquals(PowerResult.Outcome.ALREADY_SATISFIED, r.outcome());
        assertEquals(Optional.empty(), GuestWait.checkOnce(guestChecks()).stream()
                .filter(c -> !c.ready()).findAny());
    }

    @Test
    @Order(4)
    void stop_runningHost_powersItOffAndPortsGoQuiet() throws Exception {
        PowerResult r = labProvider().stop(new VmRef(HOST.region() + "/" + HOST.inventoryName(), HOST.id()));

        assertEquals(PowerResult.Outcome.CHANGED, r.outcome());
        assertTrue(firstLine(Lab.CONFIG_SERVER_PORT).startsWith("error:"));
    }
}
