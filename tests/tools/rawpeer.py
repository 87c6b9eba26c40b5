#!/usr/bin/env python3
"""rawpeer: a small BGP-4 test peer for anycastd (Python standard library only).

It builds BGP messages from bytes (marker, length, type, body), does the
OPEN/KEEPALIVE exchange as a given AS and BGP Identifier with chosen
capabilities, sends one chosen malformed message (or sequence), and reports
what the speaker answered as one JSON object on stdout: the NOTIFICATION
(code, subcode, data in hex), or that the session stayed up (no NOTIFICATION,
no close, and a KEEPALIVE or UPDATE arrived within --stay seconds).

    rawpeer.py --connect 127.0.0.1:PORT --bind 127.0.0.2 --as 65001 \\
        --id 198.51.100.2 --case NAME [--expect 3/1] [--stay 2]
    rawpeer.py --list-cases

Phases: a case is sent either as the first message on a new connection
(phase "open": the speaker has sent its OPEN, we have sent none), in
OpenConfirm (phase "openconfirm": OPENs exchanged, the speaker's KEEPALIVE
read, ours not sent), or once the session is Established (phase
"established": OPEN and KEEPALIVE exchanged and the speaker's first
End-of-RIB received, which it only sends once it is Established), or on a
second connection while a first one from the same address holds the
session in OpenSent (phase "collision", RFC 4271 6.8). --phase overrides a
case's default.

After an Established case, rawpeer sends a ROUTE-REFRESH (when negotiated;
--no-probe to not): the speaker reads in order, so an answer (an UPDATE, at
least the End-of-RIB) proves the case was processed without a NOTIFICATION.
While the session is up, --rib-cmd (e.g. "anycastctl -j show rib") is run
and --rib-has/--rib-lacks PREFIX checked against the routes whose neighbor
is --bind. Before closing, rawpeer sends Cease/Administrative Shutdown and
waits for the speaker to close, so that the next connection from the same
address never meets a session that is still Established.

--expect makes the exit status a verdict: "C/S" (that NOTIFICATION, any
data), "C/S/HEX" (that data exactly; "C/S/-" for none), "up" (session stays
up), "closed" (closed without a NOTIFICATION). Exit 0 when it matches (or
without --expect when nothing went wrong), 1 when it does not, 2 on usage
errors, 3 when the connection or the OPEN exchange failed.

--case idle keeps a healthy session: it sends KEEPALIVEs, counts what it
receives, writes --ready-file once Established and reports on SIGTERM,
SIGINT, end of --duration, or when the session fails (on a signal it first
checks that a ROUTE-REFRESH is still answered).

--batch FILE runs many cases in one process (python start-up dominates a
case): one a line, "LABEL :: CASE EXPECT [options]", each a fresh
connection; it prints a PASS/FAIL line per case and a count, appends the
JSON reports to --json-log, and with --pid fails a case at once when that
process (the speaker) is gone.
"""

import argparse
import errno
import ipaddress
import json
import os
import select
import shlex
import signal
import socket
import struct
import subprocess
import sys
import time

MARKER = b"\xff" * 16
HDR_LEN = 19

OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
TYPE_NAMES = {OPEN: "OPEN", UPDATE: "UPDATE", NOTIFICATION: "NOTIFICATION",
              KEEPALIVE: "KEEPALIVE", ROUTE_REFRESH: "ROUTE-REFRESH"}

CAPA_MP, CAPA_RR, CAPA_EXT_MSG, CAPA_AS4, CAPA_ERR = 1, 2, 6, 65, 70
AS_TRANS = 23456

# Attribute flags and types.
F_OPT, F_TRANS, F_PARTIAL, F_EXTLEN = 0x80, 0x40, 0x20, 0x10
A_ORIGIN, A_AS_PATH, A_NEXT_HOP, A_MED = 1, 2, 3, 4
A_COMMUNITIES, A_MP_REACH, A_MP_UNREACH = 8, 14, 15


class PeerError(Exception):
    """The connection or the OPEN exchange failed (exit 3)."""


# ---------------------------------------------------------------------------
# Message building, from bytes


def msg(mtype, body=b"", length=None, marker=MARKER):
    """A whole message; length overrides the header's length field."""
    if length is None:
        length = HDR_LEN + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def keepalive():
    return msg(KEEPALIVE)


def notification(code, subcode, data=b""):
    return msg(NOTIFICATION, bytes([code, subcode]) + data)


def route_refresh(afi=1, safi=1, subtype=0, extra=b""):
    return msg(ROUTE_REFRESH, struct.pack("!HBB", afi, subtype, safi) + extra)


def capability(code, value=b""):
    return bytes([code, len(value)]) + value


def caps_bytes(caps, asn):
    out = b""
    for c in caps:
        if c == "mp4":
            out += capability(CAPA_MP, struct.pack("!HBB", 1, 0, 1))
        elif c == "mp6":
            out += capability(CAPA_MP, struct.pack("!HBB", 2, 0, 1))
        elif c == "rr":
            out += capability(CAPA_RR)
        elif c == "err":
            out += capability(CAPA_ERR)
        elif c == "ext":
            out += capability(CAPA_EXT_MSG)
        elif c == "as4":
            out += capability(CAPA_AS4, struct.pack("!I", asn))
        else:
            raise ValueError("unknown capability %r" % c)
    return out


def open_body(asn, bgp_id, hold, caps=b"", version=4, my_as=None,
              params=None):
    """An OPEN body. params: the raw Optional Parameters field; by default
    one Capabilities parameter (type 2) holding caps, if any."""
    if my_as is None:
        my_as = asn if asn <= 0xffff else AS_TRANS
    if params is None:
        params = bytes([2, len(caps)]) + caps if caps else b""
    return (struct.pack("!BHH", version, my_as, hold) +
            ipaddress.IPv4Address(bgp_id).packed +
            bytes([len(params)]) + params)


def attr(flags, atype, value):
    if flags & F_EXTLEN:
        return struct.pack("!BBH", flags, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def nlri(prefix):
    net = ipaddress.ip_network(prefix)
    n = (net.prefixlen + 7) // 8
    return bytes([net.prefixlen]) + net.network_address.packed[:n]


def update(withdrawn=b"", attrs=b"", nlri_bytes=b"", wlen=None, alen=None):
    """An UPDATE body from its three fields; wlen/alen override lengths."""
    if wlen is None:
        wlen = len(withdrawn)
    if alen is None:
        alen = len(attrs)
    return msg(UPDATE, struct.pack("!H", wlen) + withdrawn +
               struct.pack("!H", alen) + attrs + nlri_bytes)


# ---------------------------------------------------------------------------
# Decoding what the speaker sends


def parse_caps(params):
    caps = {}
    i = 0
    while i + 2 <= len(params):
        ptype, plen = params[i], params[i + 1]
        p = params[i + 2:i + 2 + plen]
        i += 2 + plen
        if ptype != 2:
            continue
        j = 0
        while j + 2 <= len(p):
            code, clen = p[j], p[j + 1]
            val = p[j + 2:j + 2 + clen]
            j += 2 + clen
            if code == CAPA_MP and clen == 4:
                afi, _, safi = struct.unpack("!HBB", val)
                caps.setdefault("mp", []).append([afi, safi])
            elif code == CAPA_AS4 and clen == 4:
                caps["as4"] = struct.unpack("!I", val)[0]
            elif code == CAPA_RR:
                caps["rr"] = True
            elif code == CAPA_ERR:
                caps["err"] = True
            elif code == CAPA_EXT_MSG:
                caps["ext"] = True
            else:
                caps.setdefault("other", []).append(code)
    return caps


def parse_prefixes(data, family=4):
    out = []
    i = 0
    size = 4 if family == 4 else 16
    while i < len(data):
        plen = data[i]
        n = (plen + 7) // 8
        raw = data[i + 1:i + 1 + n]
        i += 1 + n
        if plen > size * 8 or len(raw) != n:
            out.append("?")
            break
        addr = raw + b"\x00" * (size - n)
        ip = (ipaddress.IPv4Address(addr) if family == 4
              else ipaddress.IPv6Address(addr))
        out.append("%s/%d" % (ip, plen))
    return out


def parse_update(body):
    """Returns (announced, withdrawn, eor) as lists of prefix strings."""
    try:
        wlen = struct.unpack("!H", body[0:2])[0]
        wd = body[2:2 + wlen]
        alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
        attrs = body[4 + wlen:4 + wlen + alen]
        nl = body[4 + wlen + alen:]
    except struct.error:
        return [], [], False
    announced = parse_prefixes(nl)
    withdrawn = parse_prefixes(wd)
    eor = wlen == 0 and alen == 0 and not nl
    i = 0
    while i + 3 <= len(attrs):
        flags, atype = attrs[i], attrs[i + 1]
        if flags & F_EXTLEN:
            vlen = struct.unpack("!H", attrs[i + 2:i + 4])[0]
            i += 4
        else:
            vlen = attrs[i + 2]
            i += 3
        val = attrs[i:i + vlen]
        i += vlen
        if atype == A_MP_REACH and len(val) >= 5:
            afi = struct.unpack("!H", val[0:2])[0]
            nhl = val[3]
            announced += parse_prefixes(val[5 + nhl:], 6 if afi == 2 else 4)
        elif atype == A_MP_UNREACH and len(val) >= 3:
            afi = struct.unpack("!H", val[0:2])[0]
            w = parse_prefixes(val[3:], 6 if afi == 2 else 4)
            withdrawn += w
            if not w and alen == len(attrs) and wlen == 0 and not nl:
                eor = True
    return announced, withdrawn, eor


# ---------------------------------------------------------------------------
# The connection


class Conn:
    def __init__(self, args, log):
        self.args = args
        self.log = log          # the report's "received" list
        self.sock = None
        self.buf = b""
        self.eof = False
        self.hold = 0           # negotiated
        self.next_ka = None     # when our next KEEPALIVE is due
        self.their_open = None
        self.as4 = False
        self.rr = False
        self.announced = []
        self.withdrawn = []
        self.eor = False
        self.keepalives = 0
        self.updates = 0
        self.last_rx = None
        self.notification = None

    def connect(self):
        host, port = self.args.connect.rsplit(":", 1)
        deadline = time.monotonic() + self.args.connect_timeout
        while True:
            s = socket.socket(socket.AF_INET6 if ":" in host
                              else socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                if self.args.bind:
                    s.bind((self.args.bind, 0))
                s.settimeout(max(0.1, deadline - time.monotonic()))
                s.connect((host.strip("[]"), int(port)))
                s.settimeout(None)
                self.sock = s
                return
            except OSError as e:
                s.close()
                retry = e.errno in (errno.ECONNREFUSED, errno.EADDRINUSE,
                                    errno.EADDRNOTAVAIL)
                if not retry or time.monotonic() >= deadline:
                    raise PeerError("connect %s: %s" %
                                    (self.args.connect, e)) from e
                time.sleep(0.05)

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            # The speaker may have closed after its NOTIFICATION already.
            self.log.append("send failed: %s" % e.strerror)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _fill(self, timeout):
        if self.eof:
            return False
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def recv(self, deadline):
        """The next message as (type, body), or None at the deadline or at
        end of stream (self.eof). Sends our KEEPALIVEs while it waits."""
        while True:
            if len(self.buf) >= HDR_LEN:
                length, mtype = struct.unpack("!HB", self.buf[16:19])
                if self.buf[:16] != MARKER or length < HDR_LEN:
                    raise PeerError("speaker sent a bad header: %s" %
                                    self.buf[:19].hex())
                if len(self.buf) >= length:
                    body = self.buf[HDR_LEN:length]
                    self.buf = self.buf[length:]
                    self._note(mtype, body)
                    return mtype, body
            if self.eof:
                return None
            now = time.monotonic()
            if self.next_ka is not None and now >= self.next_ka:
                self.send(keepalive())
                self.next_ka = now + self.ka_interval()
            wait = deadline - now
            if self.next_ka is not None:
                wait = min(wait, self.next_ka - now)
            if deadline - now <= 0:
                return None
            self._fill(wait)

    def ka_interval(self):
        return max(0.5, self.hold / 3.0) if self.hold else 1e9

    def _note(self, mtype, body):
        self.last_rx = time.monotonic()
        name = TYPE_NAMES.get(mtype, "type-%d" % mtype)
        self.log.append(name)
        if mtype == KEEPALIVE:
            self.keepalives += 1
        elif mtype == UPDATE:
            self.updates += 1
            a, w, eor = parse_update(body)
            self.announced += a
            self.withdrawn += w
            self.eor = self.eor or eor
        elif mtype == NOTIFICATION and self.notification is None:
            self.notification = {
                "code": body[0] if len(body) > 0 else None,
                "subcode": body[1] if len(body) > 1 else None,
                "data": body[2:].hex(),
            }

    def wait_eof(self, timeout):
        """Reads (and logs) until the speaker closes; True if it did."""
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            if self.recv(deadline) is None and not self.eof:
                break
        return self.eof

    # -- the OPEN exchange --------------------------------------------------

    def our_open(self):
        a = self.args
        return msg(OPEN, open_body(a.asn, a.bgp_id, a.hold,
                                   caps_bytes(a.caps, a.asn)))

    def read_their_open(self, deadline):
        while True:
            m = self.recv(deadline)
            if m is None:
                raise PeerError("no OPEN from the speaker (%s)" %
                                ("closed" if self.eof else "timeout"))
            mtype, body = m
            if mtype == NOTIFICATION:
                raise PeerError("NOTIFICATION %s/%s %s instead of an OPEN" %
                                (self.notification["code"],
                                 self.notification["subcode"],
                                 self.notification["data"]))
            if mtype == OPEN:
                break
        version, my_as, hold = struct.unpack("!BHH", body[0:5])
        bgp_id = str(ipaddress.IPv4Address(body[5:9]))
        caps = parse_caps(body[10:10 + body[9]])
        self.their_open = {"version": version, "as": caps.get("as4", my_as),
                           "hold": hold, "id": bgp_id, "caps": caps}
        self.as4 = "as4" in caps and "as4" in self.args.caps
        self.rr = (("rr" in caps or "err" in caps) and
                   ("rr" in self.args.caps or "err" in self.args.caps))
        ours = self.args.hold
        self.hold = min(ours, hold) if ours and hold else 0

    def open_confirm(self, timeout):
        """OPENs exchanged and their KEEPALIVE read; ours not sent: the
        speaker is in OpenConfirm."""
        deadline = time.monotonic() + timeout
        self.send(self.our_open())
        self.read_their_open(deadline)
        self._their_keepalive(deadline)

    def _their_keepalive(self, deadline):
        while True:
            m = self.recv(deadline)
            if m is None:
                raise PeerError("no KEEPALIVE after the OPENs (%s)" %
                                ("closed" if self.eof else "timeout"))
            if m[0] == NOTIFICATION:
                raise PeerError("NOTIFICATION %s/%s %s in OpenConfirm" %
                                (self.notification["code"],
                                 self.notification["subcode"],
                                 self.notification["data"]))
            if m[0] == KEEPALIVE:
                return

    def establish(self, timeout):
        deadline = time.monotonic() + timeout
        self.send(self.our_open())
        self.read_their_open(deadline)
        self.send(keepalive())
        self.next_ka = time.monotonic() + self.ka_interval()
        self._their_keepalive(deadline)
        # It sends its routes and End-of-RIB only once Established.
        while not self.eor:
            m = self.recv(deadline)
            if m is None:
                return False
            if m[0] == NOTIFICATION:
                raise PeerError("NOTIFICATION %s/%s %s after the OPENs" %
                                (self.notification["code"],
                                 self.notification["subcode"],
                                 self.notification["data"]))
        return True


# ---------------------------------------------------------------------------
# The cases


def std_attrs(ctx, origin=True, aspath=True, nexthop=True):
    """ORIGIN IGP, AS_PATH [our AS], NEXT_HOP = our address."""
    out = b""
    if origin:
        out += attr(F_TRANS, A_ORIGIN, b"\x00")
    if aspath:
        if ctx.as4:
            path = struct.pack("!BBI", 2, 1, ctx.args.asn)
        else:
            path = struct.pack("!BBH", 2, 1, ctx.args.asn
                               if ctx.args.asn <= 0xffff else AS_TRANS)
        out += attr(F_TRANS, A_AS_PATH, path)
    if nexthop:
        out += attr(F_TRANS, A_NEXT_HOP, ipaddress.IPv4Address(
            ctx.args.next_hop).packed)
    return out


def ipv4_mp_reach(ctx, prefix):
    value = (struct.pack("!HBB", 1, 1, 4) +
             ipaddress.IPv4Address(ctx.args.next_hop).packed + b"\x00" +
             nlri(prefix))
    return attr(F_OPT, A_MP_REACH, value)


TEST_PREFIX = "192.0.2.0/24"        # announced, then hit by the bad UPDATE
VALID_PREFIX = "198.51.100.0/24"
DISCARD_PREFIX = "198.18.0.0/15"    # announced with an attribute discarded


def valid_update(ctx, prefix):
    return update(attrs=std_attrs(ctx), nlri_bytes=nlri(prefix))


def taw(build):
    """A treat-as-withdraw case: announce TEST_PREFIX validly first, so
    that the bad UPDATE for the same prefix must remove it."""
    def f(ctx):
        return valid_update(ctx, TEST_PREFIX) + build(ctx)
    return f


def bad_open(**kw):
    def f(ctx):
        a = ctx.args
        args = dict(asn=a.asn, bgp_id=a.bgp_id, hold=a.hold)
        args.update(kw)
        if "caps" not in kw:
            args["caps"] = caps_bytes(a.caps, args["asn"])
        return msg(OPEN, open_body(**args))
    return f


# name: (default phase, builder(ctx) -> bytes, what RFC says, description)
CASES = {
    # RFC 4271 6.1: message header errors.
    "hdr-bad-marker": ("established",
                       lambda c: msg(KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"),
                       "1/1", "marker not all ones"),
    "hdr-len-18": ("established", lambda c: msg(KEEPALIVE, length=18),
                   "1/2/0012", "header length 18"),
    "hdr-len-4097": ("established",
                     lambda c: msg(UPDATE, b"\x00" * (4097 - HDR_LEN)),
                     "1/2/1001", "UPDATE of 4097 octets, no extended "
                     "messages negotiated"),
    "hdr-keepalive-len-20": ("established", lambda c: msg(KEEPALIVE, b"\x00"),
                             "1/2/0014", "KEEPALIVE of 20 octets"),
    "hdr-type-9": ("established", lambda c: msg(9), "1/3/09",
                   "unknown message type 9"),
    "hdr-update-len-22": ("established", lambda c: msg(UPDATE, b"\x00\x00\x00"),
                          "1/2/0016", "UPDATE shorter than 23 octets"),
    "hdr-notification-len-20": ("established",
                                lambda c: msg(NOTIFICATION, b"\x06"),
                                "1/2/0014",
                                "NOTIFICATION shorter than 21 octets"),

    # RFC 4271 6.2: OPEN errors, sent as the first message.
    "open-version-3": ("open", bad_open(version=3), "2/1/0004",
                       "BGP version 3"),
    "open-bad-peer-as": ("open", lambda c: bad_open(
        asn=c.args.asn + 1)(c), "2/2/-",
        "OPEN from the wrong AS (in both AS fields)"),
    "open-bad-peer-as2": ("open", lambda c: bad_open(
        asn=c.args.asn + 1, caps=caps_bytes(
            [x for x in c.args.caps if x != "as4"], 0))(c), "2/2/-",
        "OPEN from the wrong AS, no 4-octet AS capability"),
    "open-as4-mismatch": ("open", lambda c: bad_open(
        caps=caps_bytes(c.args.caps, 4200000000))(c), "2/2/-",
        "2-octet AS right, 4-octet AS capability wrong"),
    "open-hold-1": ("open", bad_open(hold=1), "2/6/-", "hold time 1"),
    "open-hold-2": ("open", bad_open(hold=2), "2/6/-", "hold time 2"),
    "open-bgp-id-0": ("open", bad_open(bgp_id="0.0.0.0"), "2/3/-",
                      "BGP Identifier 0"),
    "open-opt-param-1": ("open", bad_open(params=b"\x01\x00"), "2/4/-",
                         "optional parameter type 1 (authentication)"),
    "open-cap-rr-len-1": ("open", lambda c: bad_open(
        caps=capability(CAPA_RR, b"\x00") + caps_bytes(c.args.caps,
                                                       c.args.asn))(c),
        "2/0/-", "route refresh capability of length 1"),
    "open-short-28": ("open", lambda c: msg(OPEN, open_body(
        c.args.asn, c.args.bgp_id, c.args.hold)[:9]), "1/2/001c",
        "OPEN of 28 octets"),
    "fsm-update-in-opensent": ("open", lambda c: valid_update(
        c, VALID_PREFIX), "5/1/-", "UPDATE before any OPEN"),
    "fsm-keepalive-in-opensent": ("open", lambda c: keepalive(), "5/1/-",
                                  "KEEPALIVE before any OPEN"),
    "collision-bad-marker": ("collision", lambda c: msg(
        KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"), "1/1/-",
        "bad marker on a second connection while the first is in OpenSent"),
    "collision-keepalive": ("collision", lambda c: keepalive(), "5/1/-",
                            "KEEPALIVE before OPEN on a second connection "
                            "while the first is in OpenSent"),
    "fsm-update-in-openconfirm": ("openconfirm", lambda c: valid_update(
        c, VALID_PREFIX), "5/2/-", "UPDATE instead of the KEEPALIVE that "
        "ends OpenConfirm"),

    # RFC 4271 6.3, RFC 7606: UPDATE errors in Established.
    "upd-withdrawn-overrun": ("established",
                              lambda c: update(withdrawn=b"\x18\xc0\x00\x02",
                                               wlen=200),
                              "3/1/-", "withdrawn routes length 200 in a "
                              "27-octet UPDATE"),
    "upd-attrlen-overrun": ("established",
                            lambda c: update(attrs=std_attrs(c), alen=200),
                            "3/1/-", "total path attribute length overruns"),
    "taw-origin-flags": ("established", taw(lambda c: update(
        attrs=attr(F_OPT | F_TRANS, A_ORIGIN, b"\x00") +
        std_attrs(c, origin=False), nlri_bytes=nlri(TEST_PREFIX))),
        "up", "ORIGIN with the Optional bit set (RFC 7606 3.c)"),
    "taw-origin-len": ("established", taw(lambda c: update(
        attrs=attr(F_TRANS, A_ORIGIN, b"\x00\x00") +
        std_attrs(c, origin=False), nlri_bytes=nlri(TEST_PREFIX))),
        "up", "ORIGIN of length 2 (RFC 7606 7.1)"),
    "taw-nexthop-len": ("established", taw(lambda c: update(
        attrs=std_attrs(c, nexthop=False) +
        attr(F_TRANS, A_NEXT_HOP, b"\x7f\x00\x00\x02\x00"),
        nlri_bytes=nlri(TEST_PREFIX))),
        "up", "NEXT_HOP of length 5 (RFC 7606 7.3)"),
    "taw-med-flags": ("established", taw(lambda c: update(
        attrs=std_attrs(c) + attr(F_TRANS, A_MED, b"\x00\x00\x00\x01"),
        nlri_bytes=nlri(TEST_PREFIX))),
        "up", "MED flagged well-known (RFC 7606 3.c, 7.4)"),
    "taw-communities-len": ("established", taw(lambda c: update(
        attrs=std_attrs(c) + attr(F_OPT | F_TRANS, A_COMMUNITIES,
                                  b"\xfd\xe9\x00"),
        nlri_bytes=nlri(TEST_PREFIX))),
        "up", "COMMUNITIES of length 3 (RFC 7606 7.8)"),
    "taw-missing-origin": ("established", taw(lambda c: update(
        attrs=std_attrs(c, origin=False), nlri_bytes=nlri(TEST_PREFIX))),
        "up", "no ORIGIN, with NLRI (RFC 7606 3.d)"),
    "taw-attr-overrun": ("established", taw(lambda c: update(
        attrs=std_attrs(c) + attr(F_OPT | F_TRANS, A_COMMUNITIES,
                                  b"\xfd\xe9\x00\x01")[:5],
        nlri_bytes=nlri(TEST_PREFIX))),
        "up", "last attribute overruns the attribute section (RFC 7606 4)"),
    "taw-aspath-as0": ("established", taw(lambda c: update(
        attrs=std_attrs(c, aspath=False) + attr(
            F_TRANS, A_AS_PATH, struct.pack("!BBII", 2, 2, c.args.asn, 0)
            if c.as4 else struct.pack("!BBHH", 2, 2, c.args.asn, 0)),
        nlri_bytes=nlri(TEST_PREFIX))),
        "up", "AS_PATH holding AS 0 (RFC 7606 7.2, RFC 7607)"),
    "taw-mp-reach-origin": ("established", taw(lambda c: update(
        attrs=ipv4_mp_reach(c, TEST_PREFIX) +
        attr(F_TRANS, A_ORIGIN, b"\x07") + std_attrs(c, origin=False,
                                                     nexthop=False))),
        "up", "IPv4 route in MP_REACH_NLRI, ORIGIN 7 (RFC 7606 7.1)"),
    "discard-aggregator-len": ("established", lambda c: update(
        attrs=std_attrs(c) + attr(F_OPT | F_TRANS, 7, b"\x00\x00\xfd\xe9"
                                  b"\xc6\x33\x64"),
        nlri_bytes=nlri(DISCARD_PREFIX)),
        "up", "AGGREGATOR of 7 octets: attribute discard, route kept "
        "(RFC 7606 7.7)"),
    "discard-dup-origin": ("established", lambda c: update(
        attrs=std_attrs(c) + attr(F_TRANS, A_ORIGIN, b"\x01"),
        nlri_bytes=nlri(DISCARD_PREFIX)),
        "up", "ORIGIN twice: the second is discarded, route kept "
        "(RFC 7606 3.g)"),
    "upd-mp-reach-nhlen-5": ("established", lambda c: update(
        attrs=attr(F_OPT, A_MP_REACH, struct.pack("!HBB", 1, 1, 5) +
                   b"\x7f\x00\x00\x02\x00" + b"\x00" + nlri(TEST_PREFIX)) +
        std_attrs(c, nexthop=False)),
        "3/9/800e0e0001010" "57f00000200001" "8c00002",
        "MP_REACH_NLRI with an IPv4 next hop of 5 octets (RFC 4760 7, "
        "RFC 7606 7.11)"),
    "upd-unknown-wellknown": ("established", lambda c: update(
        attrs=std_attrs(c) + attr(F_TRANS, 99, b"\x00"),
        nlri_bytes=nlri(TEST_PREFIX)),
        "3/2/40630100", "attribute type 99 with flags 0x40"),
    "upd-nlri-len-33": ("established", lambda c: update(
        attrs=std_attrs(c), nlri_bytes=b"\x21\xc6\x33\x64\x00\x00"),
        "3/10/-", "NLRI prefix length 33"),
    "upd-withdrawn-len-33": ("established", lambda c: update(
        withdrawn=b"\x21\xc6\x33\x64\x00\x00"),
        "3/10/-", "withdrawn prefix length 33"),
    "upd-mp-reach-twice": ("established", lambda c: update(
        attrs=ipv4_mp_reach(c, TEST_PREFIX) + ipv4_mp_reach(c, TEST_PREFIX) +
        std_attrs(c, nexthop=False)),
        "3/1/-", "MP_REACH_NLRI twice (RFC 7606 3.g)"),
    "fsm-open-in-established": ("established",
                                lambda c: c.conn.our_open(), "5/3/-",
                                "a second OPEN (RFC 6608)"),
    "rr-borr-len-24": ("established",
                       lambda c: route_refresh(subtype=1, extra=b"\x00"),
                       "7/1/ffffffffffffffffffffffffffffffff0018050001010100",
                       "ROUTE-REFRESH subtype 1 (BoRR) of 24 octets "
                       "(RFC 7313 5)"),
    "rr-normal-len-24": ("established",
                         lambda c: route_refresh(subtype=0, extra=b"\x00"),
                         "1/2/0018", "ROUTE-REFRESH subtype 0 of 24 octets"),
    "hold-expiry": ("established", lambda c: b"", "4/0/-",
                    "we stop sending KEEPALIVEs"),
    "peer-notification": ("established",
                          lambda c: notification(6, 2, b"\x0crawpeer test"),
                          "closed", "the peer sends Cease/Administrative "
                          "Shutdown"),
    "valid-update": ("established", lambda c: valid_update(c, VALID_PREFIX),
                     "up", "a valid UPDATE for 198.51.100.0/24"),
    "update-eor": ("established", lambda c: valid_update(c, VALID_PREFIX) +
                   update(), "up",
                   "a valid UPDATE for 198.51.100.0/24, then the IPv4 "
                   "End-of-RIB"),
    "idle": ("established", None, "up",
             "keep a healthy session until SIGTERM or --duration"),
}


class Ctx:
    def __init__(self, args, conn):
        self.args = args
        self.conn = conn

    @property
    def as4(self):
        return self.conn.as4


# ---------------------------------------------------------------------------
# Verdicts and the rib check


def parse_expect(s):
    if s in ("up", "closed"):
        return {"kind": s}
    parts = s.split("/")
    if len(parts) not in (2, 3):
        raise ValueError("--expect: C/S, C/S/HEX, C/S/-, up or closed")
    e = {"kind": "notification", "code": int(parts[0]),
         "subcode": int(parts[1])}
    if len(parts) == 3:
        e["data"] = "" if parts[2] == "-" else parts[2].lower()
    return e


def verdict(report, exp):
    """(pass, reason)."""
    res = report["result"]
    n = report["notification"]
    if exp["kind"] == "up":
        if res != "up":
            return False, "expected the session to stay up, got %s" % res
        # The answer is what shows the case was read and let pass.
        if report.get("probe_answered") is False:
            return False, "session up, but the ROUTE-REFRESH sent after " \
                "the case was not answered"
    elif exp["kind"] == "closed":
        if res != "closed":
            return False, "expected a close without NOTIFICATION, got %s" % res
    else:
        if res != "notification":
            return False, "expected NOTIFICATION %d/%d, got %s" % (
                exp["code"], exp["subcode"], res)
        if (n["code"], n["subcode"]) != (exp["code"], exp["subcode"]):
            return False, "expected NOTIFICATION %d/%d, got %s/%s" % (
                exp["code"], exp["subcode"], n["code"], n["subcode"])
        if "data" in exp and n["data"] != exp["data"]:
            return False, "expected data '%s', got '%s'" % (exp["data"],
                                                           n["data"])
        # RFC 4271 4.5: the connection is closed once it is sent.
        if not report.get("closed_after"):
            return False, ("NOTIFICATION sent, but the connection stayed "
                           "open")
    rib = report.get("rib")
    if rib is not None and not rib.get("ok"):
        return False, rib.get("reason", "rib check failed")
    return True, "as expected"


def rib_check(args):
    """Runs --rib-cmd while the session is up; checks --rib-has/--rib-lacks
    among the routes whose neighbor is our address."""
    out = {"ok": True, "cmd": args.rib_cmd}
    try:
        p = subprocess.run(shlex.split(args.rib_cmd), capture_output=True,
                           text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired) as e:
        out.update(ok=False, reason="rib command failed: %s" % e)
        return out
    if p.returncode != 0:
        out.update(ok=False, reason="rib command exit %d: %s" %
                   (p.returncode, p.stderr.strip()[:200]))
        return out
    try:
        routes = json.loads(p.stdout).get("routes", [])
    except (ValueError, AttributeError) as e:
        out.update(ok=False, reason="rib command output is not the JSON "
                   "of show rib: %s" % e)
        return out
    mine = sorted({r.get("prefix") for r in routes
                   if args.bind is None or
                   r.get("neighbor") in (None, args.bind)})
    out["prefixes"] = mine
    missing = [x for x in args.rib_has if x not in mine]
    extra = [x for x in args.rib_lacks if x in mine]
    if missing or extra:
        out["ok"] = False
        out["reason"] = "; ".join(
            (["not in show rib: " + ", ".join(missing)] if missing else []) +
            (["in show rib but should not be: " + ", ".join(extra)]
             if extra else []))
    return out


# ---------------------------------------------------------------------------
# Running a case


def teardown(conn, report):
    """Cease, then wait for the speaker to close: the next connection from
    our address must find the session gone."""
    if conn.sock is None or conn.eof:
        return
    conn.send(notification(6, 2, b""))
    report["teardown_closed"] = conn.wait_eof(3.0)


def observe(conn, args, report, probe):
    """After the case bytes: wait for a NOTIFICATION, a close, or --stay
    seconds of a live session."""
    start = len(conn.log)
    deadline = time.monotonic() + args.stay
    if probe:
        conn.send(route_refresh())
    answered = False
    while True:
        m = conn.recv(deadline)
        if m is None:
            break
        if m[0] == NOTIFICATION:
            break
        if m[0] == UPDATE:
            answered = True
    after = conn.log[start:]
    if conn.notification is not None:
        report["result"] = "notification"
        report["closed_after"] = conn.wait_eof(args.close_timeout)
    elif conn.eof:
        report["result"] = "closed"
    elif any(x in ("KEEPALIVE", "UPDATE") for x in after):
        report["result"] = "up"
    else:
        report["result"] = "silent"
    if probe:
        report["probe_answered"] = answered


def run_case(args, report):
    phase, build, _, _ = CASES[args.case]
    if args.phase:
        phase = args.phase
    report["phase"] = phase
    conn = Conn(args, report["received"])
    report["conn"] = conn
    ctx = Ctx(args, conn)
    if phase == "collision":
        # A first connection holds the session in OpenSent (we never send
        # its OPEN); a second one from the same address is the collision
        # candidate (RFC 4271 6.8), and gets the case as its first message.
        first = Conn(args, [])
        report["first_conn"] = first
        first.connect()
        first.read_their_open(time.monotonic() + args.timeout)
        conn.connect()
        data = build(ctx)
        report["connected"] = True
        report["sent"] = data.hex()
        conn.send(data)
        args.stay = max(args.stay, 0.5)
        observe(conn, args, report, probe=False)
        report["first_conn_notification"] = first.notification
        teardown(first, {})
        first.close()
        teardown(conn, report)
        return
    conn.connect()
    report["connected"] = True
    if phase in ("open", "openconfirm"):
        # open: the speaker sends its OPEN on accepting; we send none.
        # openconfirm: OPENs exchanged, their KEEPALIVE read, ours not sent.
        if phase == "openconfirm":
            conn.open_confirm(args.timeout)
        data = build(ctx)
        report["sent"] = data.hex()
        conn.send(data)
        args.stay = max(args.stay, 0.5)
        observe(conn, args, report, probe=False)
    elif args.case == "hold-expiry":
        report["established"] = True
        report["eor"] = conn.establish(args.timeout)
        conn.next_ka = None
        report["sent"] = ""
        args.stay = max(args.stay, conn.hold + 2.0)
        observe(conn, args, report, probe=False)
    else:
        report["established"] = True
        report["eor"] = conn.establish(args.timeout)
        data = build(ctx)
        report["sent"] = data.hex()
        conn.send(data)
        probe = conn.rr and args.probe
        observe(conn, args, report, probe)
        if report["result"] == "up" and args.rib_cmd:
            report["rib"] = rib_check(args)
    teardown(conn, report)


def run_idle(args, report):
    conn = Conn(args, report["received"])
    report["conn"] = conn
    stop = {"sig": None}

    def on_signal(sig, _frame):
        stop["sig"] = sig

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    conn.connect()
    report["connected"] = True
    report["established"] = True
    report["eor"] = conn.establish(args.timeout)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, args.ready_file)
    end = time.monotonic() + args.duration
    # Counted from here: the initial KEEPALIVE is not proof of life.
    conn.keepalives = 0
    while stop["sig"] is None and time.monotonic() < end:
        m = conn.recv(min(end, time.monotonic() + 0.2))
        if conn.eof or (m is not None and m[0] == NOTIFICATION):
            break
    report["stopped_by"] = ("signal" if stop["sig"] is not None else
                            "duration" if not conn.eof and
                            conn.notification is None else "session")
    report["keepalives_received"] = conn.keepalives
    report["last_rx_age"] = (round(time.monotonic() - conn.last_rx, 3)
                             if conn.last_rx else None)
    if conn.notification is not None:
        report["result"] = "notification"
    elif conn.eof:
        report["result"] = "closed"
    else:
        # Proof that the speaker still serves this session: it answers a
        # ROUTE-REFRESH (or at least keeps sending KEEPALIVEs).
        report["result"] = "up"
        if conn.rr and args.probe:
            conn.send(route_refresh())
            deadline = time.monotonic() + 3.0
            answered = False
            while not answered:
                m = conn.recv(deadline)
                if m is None or m[0] == NOTIFICATION:
                    break
                answered = m[0] == UPDATE
            report["probe_answered"] = answered
            if conn.notification is not None:
                report["result"] = "notification"
            elif conn.eof:
                report["result"] = "closed"
            elif not answered:
                report["result"] = "silent"
        elif conn.keepalives == 0:
            report["result"] = "silent"
    teardown(conn, report)


def summary(report):
    """One line for people: what happened, and the verdict if asked."""
    res = report["result"]
    n = report["notification"]
    if res == "notification":
        text = "NOTIFICATION %s/%s data '%s'" % (n["code"], n["subcode"],
                                               n["data"])
    elif res == "up":
        text = "session stayed up"
        if report.get("probe_answered"):
            text += " (ROUTE-REFRESH answered)"
    elif res == "closed":
        text = "closed without NOTIFICATION"
    elif res == "silent":
        text = "no answer, no close, no KEEPALIVE"
    else:
        text = "error: %s" % report.get("error")
    if report.get("rib") and "prefixes" in report["rib"]:
        text += "; show rib: [%s]" % ", ".join(report["rib"]["prefixes"])
    if "pass" in report:
        text += "; expected %s: %s" % (report["expect"], "ok" if
                                        report["pass"] else report["reason"])
    return text


def build_parser():
    ap = argparse.ArgumentParser(
        description="BGP test peer: malformed messages, JSON verdicts.")
    ap.add_argument("--connect", metavar="HOST:PORT")
    ap.add_argument("--bind", metavar="ADDR", help="local source address")
    ap.add_argument("--as", dest="asn", type=int, default=65001)
    ap.add_argument("--id", dest="bgp_id", default="198.51.100.2")
    ap.add_argument("--hold", type=int, default=3,
                    help="hold time we offer (default 3: KEEPALIVEs each s)")
    ap.add_argument("--caps", default="as4,mp4,rr",
                    help="comma list of as4,mp4,mp6,rr,err,ext "
                    "(default as4,mp4,rr; '' for none)")
    ap.add_argument("--next-hop", default=None,
                    help="NEXT_HOP we announce (default: --bind or 127.0.0.1)")
    ap.add_argument("--case")
    ap.add_argument("--phase", choices=("open", "openconfirm", "established",
                                        "collision"))
    ap.add_argument("--expect", help="C/S, C/S/HEX, C/S/-, up or closed")
    ap.add_argument("--stay", type=float, default=2.0,
                    help="seconds a session must stay up (default 2)")
    ap.add_argument("--no-probe", dest="probe", action="store_false",
                    help="no ROUTE-REFRESH after the case")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="limit for the OPEN exchange (default 5 s)")
    ap.add_argument("--connect-timeout", type=float, default=5.0,
                    help="keep retrying a refused connect this long")
    ap.add_argument("--close-timeout", type=float, default=3.0,
                    help="wait this long for a close after a NOTIFICATION")
    ap.add_argument("--rib-cmd", help="command printing show rib JSON, run "
                    "while the session is up when --rib-has/--rib-lacks ask")
    ap.add_argument("--rib-has", action="append", default=[],
                    metavar="PREFIX")
    ap.add_argument("--rib-lacks", action="append", default=[],
                    metavar="PREFIX")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="idle: stop after this long (default 60 s)")
    ap.add_argument("--ready-file", help="idle: created once Established")
    ap.add_argument("--batch", metavar="FILE",
                    help="run the cases of FILE, one a line: "
                    "'LABEL :: CASE EXPECT [options]'; prints PASS/FAIL "
                    "lines, the JSON reports go to --json-log")
    ap.add_argument("--json-log", metavar="FILE",
                    help="batch: append each case's JSON report here")
    ap.add_argument("--pid", type=int,
                    help="batch: the speaker's process; a case fails "
                    "at once if it is gone")
    ap.add_argument("--list-cases", action="store_true")
    return ap


def run_one(args):
    """Runs args.case; returns (exit status, report)."""
    args.caps = [c for c in args.caps.split(",") if c]
    if args.next_hop is None:
        args.next_hop = args.bind or "127.0.0.1"
    exp = parse_expect(args.expect) if args.expect else None
    if not (args.rib_has or args.rib_lacks):
        args.rib_cmd = None
    report = {"case": args.case, "description": CASES[args.case][3],
              "peer": {"bind": args.bind, "as": args.asn, "id": args.bgp_id,
                       "hold": args.hold, "caps": args.caps},
              "connected": False, "established": False, "result": None,
              "notification": None, "received": []}
    rc = 0
    try:
        if args.case == "idle":
            run_idle(args, report)
        else:
            run_case(args, report)
    except PeerError as e:
        report["result"] = "error"
        report["error"] = str(e)
        rc = 3
    except (OSError, ValueError, struct.error) as e:
        report["result"] = "error"
        report["error"] = "%s: %s" % (type(e).__name__, e)
        rc = 3
    first = report.pop("first_conn", None)
    if first is not None:
        first.close()
    conn = report.pop("conn", None)
    if conn is not None:
        report["notification"] = report["notification"] or conn.notification
        report["their_open"] = conn.their_open
        report["announced_to_us"] = sorted(set(conn.announced))
        if conn.withdrawn:
            report["withdrawn_to_us"] = sorted(set(conn.withdrawn))
        conn.close()
    if exp is not None:
        report["expect"] = args.expect
        if rc == 0:
            ok, why = verdict(report, exp)
        else:
            ok, why = False, report.get("error", "error")
        report["pass"] = ok
        report["reason"] = why
        rc = 0 if ok else (rc or 1)
    return rc, report


def check_args(ap, args):
    if not args.connect or not args.case:
        ap.error("--connect and --case are required")
    if args.case not in CASES:
        ap.error("unknown case %r (see --list-cases)" % args.case)
    if args.expect:
        try:
            parse_expect(args.expect)
        except ValueError as e:
            ap.error(str(e))


def run_batch(ap, argv, base):
    """Each line of --batch: 'LABEL :: CASE EXPECT [options]', the options
    added to the command line's. Returns 0 if every case passed."""
    try:
        with open(base.batch) as f:
            lines = [ln.strip() for ln in f]
    except OSError as e:
        ap.error("--batch: %s" % e)
    log = open(base.json_log, "a") if base.json_log else None
    passed = failed = 0
    for ln in lines:
        if not ln or ln.startswith("#"):
            continue
        label, sep, spec = ln.partition("::")
        words = shlex.split(spec)
        if not sep or len(words) < 2:
            ap.error("--batch: bad line %r" % ln)
        label = label.strip()
        args = ap.parse_args(list(argv) + ["--case", words[0], "--expect",
                                           words[1]] + words[2:])
        args.batch = None
        check_args(ap, args)
        if base.pid is not None and not pid_alive(base.pid):
            rc, report = 1, {"case": args.case, "result": "error",
                             "pass": False,
                             "reason": "the speaker (pid %d) is not running"
                             % base.pid}
            line = report["reason"]
        else:
            rc, report = run_one(args)
            line = summary(report)
        if log is not None:
            json.dump(dict(report, label=label), log, sort_keys=True)
            log.write("\n")
            log.flush()
        if rc == 0:
            passed += 1
            print("PASS %s: %s" % (label, line), flush=True)
        else:
            failed += 1
            print("FAIL %s: %s" % (label, line))
            print("    " + json.dumps(report, sort_keys=True), flush=True)
    print("rawpeer: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    # A zombie (exited, not yet reaped) is gone too.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.list_cases:
        for name, (phase, _, exp, descr) in CASES.items():
            if len(exp) > 16:
                exp = exp[:13] + "..."
            print("%-26s %-12s %-16s %s" % (name, phase, exp, descr))
        return 0
    if args.batch:
        if not args.connect:
            ap.error("--connect is required")
        return run_batch(ap, argv, args)
    check_args(ap, args)
    rc, report = run_one(args)
    print("rawpeer: %s: %s" % (args.case, summary(report)), file=sys.stderr)
    json.dump(report, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
