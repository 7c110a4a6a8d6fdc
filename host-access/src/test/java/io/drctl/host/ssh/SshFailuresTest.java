package io.drctl.host.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException.Kind;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Classification of failed connects; the typed host-key exceptions are covered against real sshd in the IT. */
class SshFailuresTest {

    private static final int NOT_CHECKED = RecordingHostKeyRepository.NOT_CHECKED;

    private static SshFailures.ConnectContext verdict(int v) {
        return new SshFailures.ConnectContext(v, null, null, null);
    }

    private static final SshTarget TARGET = new SshTarget("r1/dbms", "192.0.2.10", 2222, "drctl",
            Path.of("/etc/drctl/id_ed25519"), Path.of("/etc/drctl/known_hosts"), true, Duration.ofSeconds(7),
            CommandRunner.OsFamily.LINUX, Optional.empty());

    @Test
    void classify_ioCausesBeforeHostKeyCheck_unreachable() {
        for (Exception cause : new Exception[] {new ConnectException("Connection refused"),
                new NoRouteToHostException("No route"), new SocketTimeoutException("connect timed out"),
                new UnknownHostException("nope.example")}) {
            JSchException e = new JSchException(cause.toString(), cause);
            assertEquals(Kind.UNREACHABLE, SshFailures.classify(e, true, verdict(NOT_CHECKED)), cause.toString());
        }
    }

    @Test
    void classify_plainJschExceptionAfterHostKeyAccepted_authFailed() {
        JSchException authFail = new JSchException("Auth fail for methods 'publickey'");
        assertEquals(Kind.AUTH_FAILED, SshFailures.classify(authFail, true, verdict(HostKeyRepository.OK)));
    }

    @Test
    void classify_plainJschExceptionBeforeAnyHostKeyCheck_io() {
        JSchException protocol = new JSchException("invalid server's version string");
        assertEquals(Kind.IO, SshFailures.classify(protocol, true, verdict(NOT_CHECKED)));
    }

    @Test
    void classify_recordedVerdictWithUntypedException_hostKeyKinds() {
        JSchException e = new JSchException("reject HostKey: [192.0.2.10]:2222");
        assertEquals(Kind.UNKNOWN_HOST_KEY, SshFailures.classify(e, true, verdict(HostKeyRepository.NOT_INCLUDED)));
        assertEquals(Kind.CHANGED_HOST_KEY, SshFailures.classify(e, true, verdict(HostKeyRepository.CHANGED)));
    }

    @Test
    void classify_messageTextIsIgnored() {
        // a message that *says* auth failure but comes with an I/O cause is an I/O problem
        JSchException e = new JSchException("Auth fail", new EOFException());
        assertEquals(Kind.IO, SshFailures.classify(e, true, verdict(HostKeyRepository.OK)));
        JSchException f = new JSchException("UnknownHostKey: whatever");
        assertEquals(Kind.AUTH_FAILED, SshFailures.classify(f, true, verdict(HostKeyRepository.OK)));
    }

    @Test
    void classify_tunnelFailure_unreachable() {
        JSchException e = new JSchException("channel is not opened.");
        SshFailures.ConnectContext ctx = new SshFailures.ConnectContext(NOT_CHECKED, null, null, e);
        assertEquals(Kind.UNREACHABLE, SshFailures.classify(e, true, ctx));
    }

    @Test
    void connectFailure_unknownHostKey_namesTargetFileAndKeyscanHint() {
        HostAccessException e = SshFailures.connectFailure(TARGET, new JSchException("reject HostKey"),
                verdict(HostKeyRepository.NOT_INCLUDED));
        assertEquals(Kind.UNKNOWN_HOST_KEY, e.kind());
        assertEquals(TARGET.describe(), e.target());
        assertTrue(e.getMessage().startsWith("ssh drctl@192.0.2.10:2222 (r1/dbms): "), e.getMessage());
        assertTrue(e.getMessage().contains("[192.0.2.10]:2222"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh-keyscan -p 2222 192.0.2.10 >> /etc/drctl/known_hosts"), e.getMessage());
        assertFalse(e.isRetriable());
    }

    @Test
    void connectFailure_unreachable_isRetriableAndNamesAddress() {
        JSchException e = new JSchException("java.net.ConnectException: Connection refused",
                new ConnectException("Connection refused"));
        HostAccessException h = SshFailures.connectFailure(TARGET, e, verdict(NOT_CHECKED));
        assertEquals(Kind.UNREACHABLE, h.kind());
        assertTrue(h.isRetriable());
        assertTrue(h.getMessage().contains("192.0.2.10:2222"), h.getMessage());
    }

    @Test
    void knownHostsName_port22PlainElseBracketed() {
        assertEquals("[192.0.2.10]:2222", SshFailures.knownHostsName(TARGET));
        SshTarget on22 = new SshTarget("x", "host.example", 22, "u", Path.of("k"), Path.of("kh"), true,
                Duration.ofSeconds(1), CommandRunner.OsFamily.LINUX, Optional.empty());
        assertEquals("host.example", SshFailures.knownHostsName(on22));
    }
}
