package io.drctl.vm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS to a server whose self-signed certificate is (or is not) in the configured trust store. */
class VsphereTlsTest {

    private static final String STORE_PW_VAR = "DRVM_TRUST_PW";
    private static final String STORE_PW = "drvm-trust-pw";
    private static final VmRef VM = VmRef.of("vm-7");

    @TempDir
    static Path dir;
    static WireMockServer wm;
    static Path trustStore;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Path serverStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "vc", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                serverStore.toString(), "-storepass", "server-pw", "-keypass", "server-pw");
        keytool("-exportcert", "-alias", "vc", "-keystore", serverStore.toString(), "-storepass", "server-pw",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "vc", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PW);
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort()
                .keystorePath(serverStore.toString()).keystorePassword("server-pw").keyManagerPassword("server-pw")
                .keystoreType("PKCS12"));
        wm.start();
        wm.stubFor(post(urlEqualTo("/api/session")).willReturn(aResponse().withStatus(201).withBody("\"s\"")));
        wm.stubFor(get(urlEqualTo("/api/vcenter/vm/vm-7/power"))
                .willReturn(aResponse().withStatus(200).withBody("{\"state\":\"POWERED_ON\"}")));
    }

    @AfterAll
    static void stop() {
        if (wm != null) {
            wm.stop();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }

    private static VsphereConfig config(Optional<TrustStoreRef> ts) {
        return new VsphereConfig(URI.create("https://127.0.0.1:" + wm.httpsPort()), "u@vsphere.local",
                SecretRef.env("DRVM_VC_PW"), ts, false, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private static final Map<String, String> ENV = Map.of("DRVM_VC_PW", "pw", STORE_PW_VAR, STORE_PW);

    @Test
    void status_certificateInTrustStore_succeeds() throws Exception {
        try (VsphereRestProvider p = new VsphereRestProvider(
                config(Optional.of(TrustStoreRef.pkcs12(trustStore, SecretRef.env(STORE_PW_VAR)))), ENV)) {
            assertEquals(Power.RUNNING, p.status(VM).power());
        }
    }

    @Test
    void status_selfSignedWithoutTrustStore_isTlsError() throws Exception {
        try (VsphereRestProvider p = new VsphereRestProvider(config(Optional.empty()), ENV)) {
            VmException e = assertThrows(VmException.class, () -> p.status(VM));
            assertEquals(VmException.Kind.TLS, e.kind(), e.getMessage());
        }
    }

    @Test
    void constructor_wrongTrustStorePassword_isConfigError() {
        VmException e = assertThrows(VmException.class, () -> new VsphereRestProvider(
                config(Optional.of(TrustStoreRef.pkcs12(trustStore, SecretRef.env(STORE_PW_VAR)))),
                Map.of(STORE_PW_VAR, "wrong")));
        assertEquals(VmException.Kind.CONFIG, e.kind());
    }
}
