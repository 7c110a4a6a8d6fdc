package io.drctl.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port that answers nothing and counts what arrives: each TCP connection accepted and, when asked for,
 * each UDP datagram on the same port number. For proving that something was, or was not, contacted (a refused
 * DNS server, a host assumed lost). {@link #close()} closes the sockets, which ends the counting threads.
 */
public final class ArrivalCounter implements AutoCloseable {
    private final ServerSocket tcp;
    private final Optional<DatagramSocket> udp;
    private final AtomicInteger arrived = new AtomicInteger();

    private ArrivalCounter(ServerSocket tcp, Optional<DatagramSocket> udp) {
        this.tcp = tcp;
        this.udp = udp;
        daemon("accept-counter", () -> {
            while (!tcp.isClosed()) {
                try (Socket s = tcp.accept()) {
                    arrived.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        udp.ifPresent(u -> daemon("udp-counter", () -> {
            byte[] buf = new byte[2048];
            while (!u.isClosed()) {
                try {
                    u.receive(new DatagramPacket(buf, buf.length));
                    arrived.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }));
    }

    /** Counts TCP connections on a free loopback port. */
    public static ArrivalCounter tcp() throws IOException {
        return new ArrivalCounter(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Optional.empty());
    }

    /** Counts UDP datagrams and TCP connections on one free loopback port number (as a DNS server listens). */
    public static ArrivalCounter udpAndTcp() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        DatagramSocket udp = new DatagramSocket(0, lo);
        try {
            return new ArrivalCounter(new ServerSocket(udp.getLocalPort(), 50, lo), Optional.of(udp));
        } catch (IOException e) {
            udp.close();
            throw e;
        }
    }

    /** The port number listened on. */
    public int port() {
        return tcp.getLocalPort();
    }

    /** How many connections and datagrams have arrived so far. */
    public int count() {
        return arrived.get();
    }

    @Override
    public void close() throws IOException {
        udp.ifPresent(DatagramSocket::close);
        tcp.close();
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }
}
