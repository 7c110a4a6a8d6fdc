#!/usr/bin/python3
"""Configuration Server stand-in for a lab Framework host.

Listens on ADDRESS:PORT. For every connection it resolves the DBMS name (A record) by asking
the authoritative DNS server directly (no cache), then tries a TCP connection to that address on
the DBMS port. If that works it answers "CS OK db=<ip>\\n"; otherwise it closes the connection
without a word. So a client sees from outside which DBMS the Configuration Server would use and
whether it can reach it.

Usage: cs-standin.py ADDRESS PORT DNS_SERVER DB_NAME DB_PORT
"""
import os
import random
import socket
import socketserver
import struct
import sys
import time


def log(msg):
    sys.stderr.write(time.strftime("%H:%M:%S ") + msg + "\n")
    sys.stderr.flush()


def resolve_a(server, name, timeout=1.0, tries=2):
    """First A record of NAME at SERVER (UDP/53), or None on any failure."""
    qid = random.randint(0, 0xFFFF)
    qname = b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.strip(".").split(".")) + b"\0"
    query = struct.pack(">HHHHHH", qid, 0x0000, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    for _ in range(tries):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.sendto(query, (server, 53))
                data, _ = s.recvfrom(4096)
        except OSError:
            continue
        try:
            return parse_first_a(data, qid)
        except (IndexError, struct.error, ValueError):
            return None
    return None


def skip_name(data, off):
    while True:
        length = data[off]
        if length == 0:
            return off + 1
        if length & 0xC0 == 0xC0:
            return off + 2
        off += 1 + length


def parse_first_a(data, qid):
    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", data[:12])
    if rid != qid or flags & 0x000F != 0:
        return None
    off = 12
    for _ in range(qd):
        off = skip_name(data, off) + 4
    for _ in range(an):
        off = skip_name(data, off)
        rtype, rclass, _, rdlen = struct.unpack(">HHIH", data[off:off + 10])
        off += 10
        if rtype == 1 and rclass == 1 and rdlen == 4:
            return socket.inet_ntoa(data[off:off + 4])
        off += rdlen
    return None


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        ip = resolve_a(srv.dns_server, srv.db_name)
        if ip is None:
            log(f"{self.client_address[0]}: cannot resolve {srv.db_name} at {srv.dns_server}; closing")
            return
        try:
            with socket.create_connection((ip, srv.db_port), timeout=1.5):
                pass
        except OSError as e:
            log(f"{self.client_address[0]}: DBMS {ip}:{srv.db_port} unreachable ({e}); closing")
            return
        try:
            self.request.sendall(f"CS OK db={ip}\n".encode("ascii"))
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    address, port, dns_server, db_name, db_port = sys.argv[1:6]
    server = Server((address, int(port)), Handler)
    server.dns_server, server.db_name, server.db_port = dns_server, db_name, int(db_port)
    with open("/run/drl-cs.pid", "w") as f:
        f.write(f"{os.getpid()}\n")
    log(f"listening on {address}:{port}; DBMS name {db_name} via {dns_server}")
    server.serve_forever()


if __name__ == "__main__":
    main()
