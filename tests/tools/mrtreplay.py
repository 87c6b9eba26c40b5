#!/usr/bin/env python3
"""mrtreplay: replay the BGP UPDATEs of an MRT file to one BGP peer.

A minimal BGP speaker for benchmarks (standard library only). It opens a
session (listening, or connecting), exchanges OPEN and KEEPALIVE, then
sends every UPDATE message of the MRT file as-is (BGP4MP / BGP4MP_ET
MESSAGE and MESSAGE_AS4 records, any peer), back to back, as fast as TCP
allows (with --eor, followed by an End-of-RIB, the recorded End-of-RIB
markers left out); then it only sends KEEPALIVEs, reading and discarding what the
peer sends, until --duration seconds have passed or the peer closes.

It prints, on stdout, one line per milestone: "established <epoch>",
"start <epoch>" (first UPDATE),
"sent <epoch> <updates> <bytes>" and "closed <epoch> <reason>".

  mrtreplay.py --listen 192.0.2.1 --as 3856 FILE.gz
  mrtreplay.py --connect 192.0.2.10 --as 3856 FILE.gz
"""
import argparse
import gzip
import socket
import struct
import sys
import threading
import time

MARKER = b"\xff" * 16


def mrt_updates(path):
    """The UPDATE messages (with marker) of an MRT file, in order."""
    opener = gzip.open if path.endswith(".gz") else open
    out = []
    with opener(path, "rb") as f:
        data = f.read()
    off, n = 0, len(data)
    while off + 12 <= n:
        _ts, typ, sub, ln = struct.unpack_from("!IHHI", data, off)
        body = data[off + 12:off + 12 + ln]
        off += 12 + ln
        if len(body) < ln:
            break
        if typ not in (16, 17):
            continue
        if typ == 17:
            body = body[4:]
        if sub in (1, 5):		# MESSAGE, MESSAGE_LOCAL: 2-octet AS
            asl = 2
        elif sub in (4, 7):		# MESSAGE_AS4, MESSAGE_AS4_LOCAL
            asl = 4
        else:
            continue
        p = 2 * asl + 2
        if len(body) < p + 2:
            continue
        afi = struct.unpack_from("!H", body, p)[0]
        p += 2 + 2 * (4 if afi == 1 else 16)
        msg = body[p:]
        if len(msg) < 19 or msg[:16] != MARKER or msg[18] != 2:
            continue
        mlen = struct.unpack_from("!H", msg, 16)[0]
        out.append(msg[:mlen])
    return out


def is_eor(msg):
    """An End-of-RIB (RFC 4724 2): an UPDATE without routes or attributes,
    or with only an empty MP_UNREACH_NLRI."""
    body = msg[19:]
    if body == b"\x00\x00\x00\x00":
        return True
    if len(body) < 4 or body[0:2] != b"\x00\x00":
        return False
    attrs = body[4:]
    if len(attrs) != struct.unpack_from("!H", body, 2)[0]:
        return False
    if len(attrs) == 6 and attrs[1] == 15 and attrs[2] == 3:
        return True
    return len(attrs) == 7 and attrs[0] & 0x10 and attrs[1] == 15 and \
        attrs[2:4] == b"\x00\x03"


def bgp_msg(typ, payload=b""):
    return MARKER + struct.pack("!HB", 19 + len(payload), typ) + payload


def open_msg(asn, hold, rid):
    caps = b""
    caps += struct.pack("!BBHBB", 1, 4, 1, 0, 1)	# MP IPv4 unicast
    caps += struct.pack("!BB", 2, 0)			# route refresh
    caps += struct.pack("!BBI", 65, 4, asn)		# four-octet AS
    opt = struct.pack("!BB", 2, len(caps)) + caps
    my_as = asn if asn < 65536 else 23456
    return bgp_msg(1, struct.pack("!BHH4sB", 4, my_as, hold,
                                  socket.inet_aton(rid), len(opt)) + opt)


def recv_msg(s):
    hdr = b""
    while len(hdr) < 19:
        c = s.recv(19 - len(hdr))
        if not c:
            raise EOFError("peer closed")
        hdr += c
    ln = struct.unpack_from("!H", hdr, 16)[0]
    body = b""
    while len(body) < ln - 19:
        c = s.recv(ln - 19 - len(body))
        if not c:
            raise EOFError("peer closed")
        body += c
    return hdr[18], body


def say(*a):
    print(*a, flush=True)


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--listen", metavar="ADDR")
    g.add_argument("--connect", metavar="ADDR")
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--bind", metavar="ADDR", help="source address (--connect)")
    ap.add_argument("--as", dest="asn", type=int, required=True)
    ap.add_argument("--id", default="192.0.2.1")
    ap.add_argument("--hold", type=int, default=90)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--wait", type=float, default=30,
                    help="seconds to wait for the peer")
    ap.add_argument("--pause", type=float, default=0,
                    help="seconds between Established and the first UPDATE")
    ap.add_argument("--eor", action="store_true",
                    help="send an IPv4 End-of-RIB after the last UPDATE "
                    "(and leave out the markers recorded in the file)")
    ap.add_argument("file")
    a = ap.parse_args()

    upd = mrt_updates(a.file)
    if a.eor:
        # The recorded sessions' own markers would end the table early.
        n = len(upd)
        upd = [m for m in upd if not is_eor(m)]
        if n != len(upd):
            sys.stderr.write("mrtreplay: %d recorded End-of-RIB markers left "
                             "out\n" % (n - len(upd)))
        upd.append(bgp_msg(2, b"\x00\x00\x00\x00"))
    stream = b"".join(upd)
    sys.stderr.write("mrtreplay: %d UPDATEs, %d bytes\n" % (len(upd), len(stream)))

    if a.listen:
        ls = socket.socket(socket.AF_INET6 if ":" in a.listen else socket.AF_INET)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.listen, a.port))
        ls.listen(1)
        ls.settimeout(a.wait)
        s, _ = ls.accept()
        ls.close()
    else:
        s = socket.create_connection((a.connect, a.port), timeout=a.wait,
                                     source_address=(a.bind, 0) if a.bind else None)
    s.settimeout(a.wait)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(open_msg(a.asn, a.hold, a.id))
    got_open = got_ka = False
    hold = a.hold
    while not (got_open and got_ka):
        t, body = recv_msg(s)
        if t == 1:
            got_open = True
            peer_hold = struct.unpack_from("!H", body, 3)[0]
            hold = min(hold, peer_hold)
            s.sendall(bgp_msg(4))
        elif t == 4:
            got_ka = True
        elif t == 3:
            say("closed %.6f notification %s" % (time.time(), body[:2].hex()))
            return 1
    say("established %.6f" % time.time())

    closed = threading.Event()

    def drain():
        s.settimeout(None)
        try:
            while True:
                t, body = recv_msg(s)
                if t == 3:
                    say("closed %.6f notification %s" % (time.time(), body[:2].hex()))
                    break
        except (EOFError, OSError) as e:
            say("closed %.6f %s" % (time.time(), e))
        closed.set()

    th = threading.Thread(target=drain, daemon=True)
    th.start()
    if a.pause > 0:
        closed.wait(a.pause)
    t0 = time.time()
    say("start %.6f" % t0)
    s.sendall(stream)
    say("sent %.6f %d %d" % (time.time(), len(upd), len(stream)))
    ka = max(1.0, hold / 3.0) if hold else 30.0
    end = t0 + a.duration
    while not closed.is_set() and time.time() < end:
        closed.wait(min(ka, max(0.0, end - time.time())))
        if closed.is_set():
            break
        try:
            s.sendall(bgp_msg(4))
        except OSError:
            break
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
