package io.drctl.vm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class VsphereRestProviderTest {

    private static final String USER = "drctl@vsphere.local";
    private static final String PASSWORD = "drvm-S3cr3t-Pa55w0rd";
    private static final String PW_VAR = "DRVM_VC_PASSWORD";
    private static final String POWER = "/api/vcenter/vm/vm-1001/power";
    private static final VmRef VM = new VmRef("region2/mfwk-p", "vm-1001");

    private WireMockServer wm;
    private ListAppender<ILoggingEvent> logs;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream realOut;
    private PrintStream realErr;

    @BeforeEach
    void setUp() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        realOut = System.out;
        realErr = System.err;
        PrintStream tee = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
    }

    @AfterEach
    void tearDown() {
        System.setOut(realOut);
        System.setErr(realErr);
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        wm.stop();
    }

    private VsphereConfig config(Duration requestTimeout) {
        return new VsphereConfig(URI.create("http://127.0.0.1:" + wm.port()), USER, SecretRef.env(PW_VAR),
                Optional.empty(), true, Duration.ofSeconds(2), requestTimeout);
    }

    private VsphereRestProvider provider() throws VmException {
        return new VsphereRestProvider(config(Duration.ofSeconds(5)), Map.of(PW_VAR, PASSWORD));
    }

    private void stubLogin(String session) {
        stubLogout();
        wm.stubFor(post(urlEqualTo("/api/session"))
                .withBasicAuth(USER, PASSWORD)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("\"" + session + "\"")));
    }

    private void stubLogout() {
        wm.stubFor(delete(urlEqualTo("/api/session")).willReturn(aResponse().withStatus(204)));
    }

    private void stubPower(String session, String state) {
        wm.stubFor(get(urlEqualTo(POWER)).withHeader("vmware-api-session-id", equalTo(session))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"state\":\"" + state + "\"}")));
    }

    private int posts(String url) {
        return wm.findAll(postRequestedFor(urlEqualTo(url))).size();
    }

    /** A call on a provider. */
    private interface Call {
        void on(VsphereRestProvider p) throws VmException;
    }

    /** Runs {@code call} on a fresh provider, which must fail with {@code kind}; the failure, for more checks. */
    private VmException failsWith(VmException.Kind kind, Call call) throws VmException {
        try (VsphereRestProvider p = provider()) {
            VmException e = assertThrows(VmException.class, () -> call.on(p));
            assertEquals(kind, e.kind());
            return e;
        }
    }

    @Test
    void start_poweredOff_sendsStartAndReportsChanged() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).inScenario("power").whenScenarioStateIs(Scenario.STARTED)
                .withHeader("vmware-api-session-id", equalTo("sess-1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"state\":\"POWERED_OFF\"}")));
        wm.stubFor(post(urlEqualTo(POWER + "?action=start")).inScenario("power")
                .withHeader("vmware-api-session-id", equalTo("sess-1"))
                .willReturn(aResponse().withStatus(204)).willSetStateTo("on"));
        wm.stubFor(get(urlEqualTo(POWER)).inScenario("power").whenScenarioStateIs("on")
                .withHeader("vmware-api-session-id", equalTo("sess-1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"state\":\"POWERED_ON\"}")));

        try (VsphereRestProvider p = provider()) {
            PowerResult r = p.start(VM);

            assertEquals(PowerResult.Outcome.CHANGED, r.outcome());
            assertEquals(Power.STOPPED, r.before().power());
            assertEquals(new PowerState(Power.RUNNING, "POWERED_ON"), r.after());
        }
        assertEquals(1, posts("/api/session"), "one login, session reused for 3 calls");
        assertEquals(1, posts(POWER + "?action=start"));
        assertEquals(2, wm.findAll(getRequestedFor(urlEqualTo(POWER))).size());
        assertEquals(1, wm.findAll(deleteRequestedFor(urlEqualTo("/api/session"))
                .withHeader("vmware-api-session-id", equalTo("sess-1"))).size(), "close() logged out");
        assertNoSecretLeaked();
    }

    @Test
    void start_alreadyOn_sendsNoStartRequest() throws Exception {
        stubLogin("sess-1");
        stubPower("sess-1", "POWERED_ON");
        wm.stubFor(post(urlEqualTo(POWER + "?action=start")).willReturn(aResponse().withStatus(204)));

        try (VsphereRestProvider p = provider()) {
            PowerResult r = p.start(VM);

            assertEquals(PowerResult.Outcome.ALREADY_SATISFIED, r.outcome());
            assertFalse(r.changed());
            assertEquals(Power.RUNNING, r.after().power());
        }
        assertEquals(0, posts(POWER + "?action=start"), "the request journal holds no start request");
    }

    @Test
    void stop_suspended_reportsStoppedWithoutSending() throws Exception {
        stubLogin("sess-1");
        stubPower("sess-1", "SUSPENDED");

        try (VsphereRestProvider p = provider()) {
            PowerResult r = p.stop(VM);

            assertEquals(PowerResult.Outcome.ALREADY_SATISFIED, r.outcome());
            assertEquals(new PowerState(Power.STOPPED, "SUSPENDED"), r.before());
        }
        assertEquals(0, posts(POWER + "?action=stop"));
    }

    @Test
    void status_expiredSession_logsInAgainOnceAndRetries() throws Exception {
        stubLogout();
        wm.stubFor(post(urlEqualTo("/api/session")).inScenario("login").whenScenarioStateIs(Scenario.STARTED)
                .withBasicAuth(USER, PASSWORD)
                .willReturn(aResponse().withStatus(201).withBody("\"sess-old\"")).willSetStateTo("second"));
        wm.stubFor(post(urlEqualTo("/api/session")).inScenario("login").whenScenarioStateIs("second")
                .withBasicAuth(USER, PASSWORD)
                .willReturn(aResponse().withStatus(201).withBody("\"sess-new\"")));
        wm.stubFor(get(urlEqualTo(POWER)).withHeader("vmware-api-session-id", equalTo("sess-old"))
                .willReturn(aResponse().withStatus(401).withBody("{\"error_type\":\"UNAUTHENTICATED\"}")));
        stubPower("sess-new", "POWERED_ON");

        try (VsphereRestProvider p = provider()) {
            assertEquals(Power.RUNNING, p.status(VM).power());
            assertEquals(Power.RUNNING, p.status(VM).power()); // the new session is kept
        }
        assertEquals(2, posts("/api/session"));
        assertEquals(1, wm.findAll(getRequestedFor(urlEqualTo(POWER))
                .withHeader("vmware-api-session-id", equalTo("sess-old"))).size());
        assertEquals(2, wm.findAll(getRequestedFor(urlEqualTo(POWER))
                .withHeader("vmware-api-session-id", equalTo("sess-new"))).size());
        assertNoSecretLeaked();
    }

    @Test
    void status_401AfterFreshLogin_isAuthFailed() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).willReturn(aResponse().withStatus(401)));

        failsWith(VmException.Kind.AUTH_FAILED, p -> p.status(VM));
        assertEquals(2, posts("/api/session"), "exactly one re-login");
    }

    @Test
    void status_wrongPassword_isAuthFailedAndDoesNotLeakIt() throws Exception {
        wm.stubFor(post(urlEqualTo("/api/session")).willReturn(aResponse().withStatus(401)));

        try (VsphereRestProvider p = provider()) {
            VmException e = assertThrows(VmException.class, () -> p.status(VM));
            assertEquals(VmException.Kind.AUTH_FAILED, e.kind());
            assertTrue(e.getMessage().contains("env:" + PW_VAR), e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD));
            assertFalse(p.toString().contains(PASSWORD), p.toString());
        }
        assertNoSecretLeaked();
    }

    @Test
    void status_serverError_isRetriableWithoutRetryingHere() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER))
                .willReturn(aResponse().withStatus(503).withBody("{\"error_type\":\"SERVICE_UNAVAILABLE\"}")));

        VmException e = failsWith(VmException.Kind.SERVER_ERROR, p -> p.status(VM));
        assertTrue(e.isRetriable(), "the engine decides to retry, and journals it");
        assertTrue(e.getMessage().contains("server error 503"), e.getMessage());
        assertEquals(1, wm.findAll(getRequestedFor(urlEqualTo(POWER))).size(), "one request: no retry loop in the adapter");
    }

    @Test
    void start_serverError_sendsNoPowerRequest() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).willReturn(aResponse().withStatus(500)));

        failsWith(VmException.Kind.SERVER_ERROR, p -> p.start(VM));
        assertEquals(1, wm.findAll(getRequestedFor(urlEqualTo(POWER))).size());
        assertEquals(0, posts(POWER + "?action=start"));
    }

    @Test
    void status_slowServer_isTypedTimeoutWithoutRetry() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).willReturn(aResponse().withStatus(200)
                .withBody("{\"state\":\"POWERED_ON\"}").withFixedDelay(3000)));

        try (VsphereRestProvider p = new VsphereRestProvider(config(Duration.ofMillis(300)),
                Map.of(PW_VAR, PASSWORD))) {
            VmException e = assertThrows(VmException.class, () -> p.status(VM));
            assertEquals(VmException.Kind.TIMEOUT, e.kind());
            assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
        }
        assertEquals(1, wm.findAll(getRequestedFor(urlEqualTo(POWER))).size());
    }

    @Test
    void status_unknownVm_isNotFoundNamingVmAndEndpoint() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).willReturn(aResponse().withStatus(404).withBody(
                "{\"error_type\":\"NOT_FOUND\",\"messages\":[{\"id\":\"x\",\"default_message\":\"VM not found\"}]}")));

        VmException e = failsWith(VmException.Kind.NOT_FOUND, p -> p.status(VM));
        assertTrue(e.getMessage().startsWith("VM vm-1001 not found at http://127.0.0.1:" + wm.port()),
                e.getMessage());
    }

    @Test
    void start_forbidden_isForbidden() throws Exception {
        stubLogin("sess-1");
        stubPower("sess-1", "POWERED_OFF");
        wm.stubFor(post(urlPathEqualTo(POWER)).willReturn(aResponse().withStatus(403)
                .withBody("{\"error_type\":\"UNAUTHORIZED\"}")));

        VmException e = failsWith(VmException.Kind.FORBIDDEN, p -> p.start(VM));
        assertTrue(e.getMessage().contains(USER), e.getMessage());
    }

    @Test
    void start_raceAlreadyInDesiredState_isAlreadySatisfied() throws Exception {
        stubLogin("sess-1");
        wm.stubFor(get(urlEqualTo(POWER)).inScenario("race").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody("{\"state\":\"POWERED_OFF\"}")));
        wm.stubFor(post(urlEqualTo(POWER + "?action=start")).inScenario("race")
                .willReturn(aResponse().withStatus(400).withBody("{\"error_type\":\"ALREADY_IN_DESIRED_STATE\"}"))
                .willSetStateTo("on"));
        wm.stubFor(get(urlEqualTo(POWER)).inScenario("race").whenScenarioStateIs("on")
                .willReturn(aResponse().withStatus(200).withBody("{\"state\":\"POWERED_ON\"}")));

        try (VsphereRestProvider p = provider()) {
            assertEquals(PowerResult.Outcome.ALREADY_SATISFIED, p.start(VM).outcome());
        }
    }

    @Test
    void status_missingPasswordVariable_isConfigErrorAndNothingSent() throws Exception {
        try (VsphereRestProvider p = new VsphereRestProvider(config(Duration.ofSeconds(2)), Map.of())) {
            VmException e = assertThrows(VmException.class, () -> p.status(VM));
            assertEquals(VmException.Kind.CONFIG, e.kind());
            assertTrue(e.getMessage().contains(PW_VAR), e.getMessage());
        }
        assertEquals(0, wm.getAllServeEvents().size());
    }

    @Test
    void config_plainHttpWithoutOptIn_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VsphereConfig.of(
                URI.create("http://vcenter.example.com"), USER, SecretRef.env(PW_VAR), null));
        assertTrue(e.getMessage().contains("must be https"), e.getMessage());
    }

    @Test
    void secretFile_resolvesWithoutTrailingNewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, PASSWORD + "\n");
        SecretRef ref = SecretRef.file(f);
        assertEquals(PASSWORD, ref.resolve(Map.of()));
        assertEquals("file:" + f, ref.toString());
    }

    private void assertNoSecretLeaked() throws IOException {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertFalse(logs.list.isEmpty(), "the provider logged something to check");
        for (ILoggingEvent ev : logs.list) {
            String text = ev.getFormattedMessage()
                    + (ev.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(ev.getThrowableProxy()));
            assertFalse(text.contains(PASSWORD), "password in log: " + text);
            assertFalse(text.contains(basic), "basic-auth token in log: " + text);
        }
        String out = console.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains(PASSWORD), "password on console");
        assertFalse(out.contains(basic), "basic-auth token on console");
    }
}
