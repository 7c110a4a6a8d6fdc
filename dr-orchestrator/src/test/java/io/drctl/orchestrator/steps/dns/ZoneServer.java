package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.TsigKey;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * A small authoritative server for one zone of A records, on 127.0.0.1 over UDP and TCP, built with dnsjava: it
 * answers A and SOA queries and AXFR from its map, and applies RFC 2136 UPDATEs to it (prerequisites "RRset exists
 * with exactly these values" and "RRset does not exist", updates "delete RRset" and "add RR"), all or nothing, so a
 * later query reads the result back. With a key, TSIG-signed requests are verified (BADSIG, BADKEY, BADTIME as a
 * server reports them) and responses signed; unsigned UPDATEs are refused. Its clock may differ from the client's.
 */
public final class ZoneServer implements AutoCloseable {
    /** One name's A RRset. */
    record RRset(long ttl, Set<String> addresses) {
    }

    private final Name zone;
    private final Optional<TsigKey> key;
    private final Clock clock;
    private final Map<Name, RRset> records = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> updates = Collections.synchronizedList(new ArrayList<>());
    private long serial = 2026010101L;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean asked;
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> connections = Collections.synchronizedList(new ArrayList<>());

    /** An unsigned server of {@code zone}: answers queries, refuses nothing unsigned. */
    public ZoneServer(String zone) throws Exception {
        this(zone, Optional.empty(), Clock.systemUTC());
    }

    public ZoneServer(String zone, Optional<TsigKey> key, Clock clock) throws Exception {
        this.zone = Name.fromString(zone);
        this.key = key;
        this.clock = clock;
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 20 && t == null; i++) { // the same port number for UDP and TCP
            u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getByName("127.0.0.1"));
            } catch (java.net.BindException e) {
                u.close();
            }
        }
        this.udp = u;
        this.tcp = t;
        start("zone-udp", this::serveUdp);
        start("zone-tcp", this::serveTcp);
    }

    private void start(String name, Runnable r) {
        Thread th = new Thread(r, name);
        th.setDaemon(true);
        threads.add(th);
        th.start();
    }

    /** Whether any message or connection reached this server. */
    public boolean asked() {
        return asked;
    }

    public int port() {
        return udp.getLocalPort();
    }

    public void put(String name, long ttl, String... addresses) {
        records.put(abs(name), new RRset(ttl, new TreeSet<>(Arrays.asList(addresses))));
    }

    Optional<RRset> get(String name) {
        return Optional.ofNullable(records.get(abs(name)));
    }

    /** The UPDATEs this server applied or refused, as "rcode: update" lines. */
    List<String> updates() {
        synchronized (updates) {
            return List.copyOf(updates);
        }
    }

    private Name abs(String name) {
        try {
            return Name.fromString(name, zone);
        } catch (Exception e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    // ------------------------------------------------------------------ transport

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                asked = true;
                byte[] out = handle(Arrays.copyOf(p.getData(), p.getLength()));
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (Exception e) {
                // closed, or a malformed packet: keep serving until closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                asked = true;
                connections.add(s);
                start("zone-tcp-conn", () -> serveConnection(s));
            } catch (Exception e) {
                // closed
            }
        }
    }

    private void serveConnection(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                byte[] r = handle(q);
                out.writeShort(r.length);
                out.write(r);
                out.flush();
            }
        } catch (EOFException e) {
            // the client closed the connection
        } catch (Exception e) {
            // closed
        }
    }

    // ------------------------------------------------------------------ protocol

    private byte[] handle(byte[] wire) throws Exception {
        Message q = new Message(wire);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setOpcode(q.getHeader().getOpcode());
        Record question = q.getQuestion();
        if (question != null) {
            r.addRecord(question, Section.QUESTION);
        }
        TSIGRecord qt = q.getTSIG();
        TSIG signer = key.map(k -> k.signer(clock)).orElse(null);
        if (qt != null) {
            int error = signer == null ? Rcode.BADKEY : signer.verify(q, wire, null);
            if (error != Rcode.NOERROR) {
                r.getHeader().setRcode(Rcode.NOTAUTH);
                if (signer != null) {
                    r.setTSIG(signer, error, qt);
                }
                if (q.getHeader().getOpcode() == Opcode.UPDATE) {
                    updates.add("NOTAUTH/" + Rcode.TSIGstring(error));
                }
                return r.toWire(Message.MAXLENGTH);
            }
        }
        if (q.getHeader().getOpcode() == Opcode.UPDATE) {
            int rcode = key.isPresent() && qt == null ? Rcode.REFUSED : update(q);
            r.getHeader().setRcode(rcode);
            updates.add(Rcode.string(rcode) + ": " + q.getSection(Section.UPDATE));
        } else {
            r.getHeader().setFlag(Flags.AA);
            answer(question, r);
        }
        if (qt != null) {
            r.setTSIG(signer, Rcode.NOERROR, qt);
        }
        return r.toWire(Message.MAXLENGTH);
    }

    private SOARecord soa() throws Exception {
        return new SOARecord(zone, DClass.IN, 300, Name.fromString("ns1", zone), Name.fromString("hostmaster", zone),
                serial, 3600, 600, 86400, 60);
    }

    private void answer(Record question, Message r) throws Exception {
        if (question.getType() == Type.SOA && question.getName().equals(zone)) {
            r.addRecord(soa(), Section.ANSWER);
        } else if (question.getType() == Type.AXFR && question.getName().equals(zone)) {
            r.addRecord(soa(), Section.ANSWER);
            synchronized (records) {
                for (Map.Entry<Name, RRset> e : records.entrySet()) {
                    for (Record a : aRecords(e.getKey(), e.getValue())) {
                        r.addRecord(a, Section.ANSWER);
                    }
                }
            }
            r.addRecord(soa(), Section.ANSWER);
        } else if (question.getType() == Type.A) {
            RRset set = records.get(question.getName());
            if (set == null && !question.getName().equals(zone)) {
                r.getHeader().setRcode(Rcode.NXDOMAIN);
            } else if (set != null) {
                aRecords(question.getName(), set).forEach(a -> r.addRecord(a, Section.ANSWER));
            }
        }
    }

    private static List<Record> aRecords(Name name, RRset set) throws Exception {
        List<Record> out = new ArrayList<>();
        for (String a : set.addresses()) {
            out.add(new ARecord(name, DClass.IN, set.ttl(), InetAddress.getByName(a)));
        }
        return out;
    }

    /** RFC 2136, the subset drctl sends: all prerequisites hold, then every change applies, or nothing does. */
    private int update(Message u) {
        Record z = u.getQuestion();
        if (z == null || !z.getName().equals(zone) || z.getType() != Type.SOA) {
            return Rcode.NOTZONE;
        }
        synchronized (records) {
            Map<Name, Set<String>> expected = new LinkedHashMap<>();
            for (Record p : u.getSection(Section.PREREQ)) {
                if (!p.getName().subdomain(zone)) {
                    return Rcode.NOTZONE;
                }
                if (p.getDClass() == DClass.IN && p.getType() == Type.A) {
                    expected.computeIfAbsent(p.getName(), n -> new TreeSet<>()).add(((ARecord) p).getAddress().getHostAddress());
                } else if (p.getDClass() == DClass.NONE && p.getType() == Type.A) {
                    if (records.containsKey(p.getName())) {
                        return Rcode.YXRRSET;
                    }
                } else if (p.getDClass() == DClass.ANY && p.getType() == Type.A) {
                    if (!records.containsKey(p.getName())) {
                        return Rcode.NXRRSET;
                    }
                } else {
                    return Rcode.FORMERR;
                }
            }
            for (Map.Entry<Name, Set<String>> e : expected.entrySet()) {
                RRset now = records.get(e.getKey());
                if (now == null || !now.addresses().equals(e.getValue())) {
                    return Rcode.NXRRSET;
                }
            }
            Map<Name, RRset> next = new LinkedHashMap<>(records);
            for (Record c : u.getSection(Section.UPDATE)) {
                if (!c.getName().subdomain(zone)) {
                    return Rcode.NOTZONE;
                }
                if (c.getType() != Type.A) {
                    return Rcode.REFUSED;
                }
                if (c.getDClass() == DClass.ANY) {
                    next.remove(c.getName());
                } else if (c.getDClass() == DClass.IN) {
                    RRset old = next.get(c.getName());
                    Set<String> addrs = new TreeSet<>(old == null ? Set.of() : old.addresses());
                    addrs.add(((ARecord) c).getAddress().getHostAddress());
                    next.put(c.getName(), new RRset(c.getTTL(), addrs));
                } else {
                    return Rcode.FORMERR;
                }
            }
            records.clear();
            records.putAll(next);
            serial++;
            return Rcode.NOERROR;
        }
    }

    @Override
    public void close() throws java.io.IOException {
        udp.close();
        tcp.close();
        for (Socket s : List.copyOf(connections)) {
            s.close();
        }
        try {
            for (Thread t : List.copyOf(threads)) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
