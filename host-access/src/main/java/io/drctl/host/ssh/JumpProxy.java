package io.drctl.host.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Carries a target's SSH connection through a {@code direct-tcpip} channel of an already
 * authenticated jump-host session (what OpenSSH's {@code ProxyJump} does); no local port is opened.
 */
final class JumpProxy implements Proxy {

    private final Session jumpSession;
    private volatile Channel channel;
    private volatile InputStream in;
    private volatile OutputStream out;
    private volatile Exception failure;

    JumpProxy(Session jumpSession) {
        this.jumpSession = jumpSession;
    }

    /** Why the tunnel could not be opened, or null when it was (or was never tried). */
    Exception failure() {
        return failure;
    }

    @Override
    public void connect(SocketFactory socketFactory, String host, int port, int timeoutMillis) throws Exception {
        try {
            Channel forward = jumpSession.getStreamForwarder(host, port);
            // streams must be taken before connect(): JSch wires them up while the channel opens
            in = forward.getInputStream();
            out = forward.getOutputStream();
            forward.connect(timeoutMillis);
            channel = forward;
        } catch (JSchException | IOException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        Channel c = channel;
        if (c != null) {
            c.disconnect();
        }
    }
}
