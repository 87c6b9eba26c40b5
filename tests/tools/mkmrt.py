#!/usr/bin/env python3
"""mkmrt: write an MRT TABLE_DUMP_V2 file (RFC 6396) of N IPv4 /32s.

For benchmarks (standard library only): the file is a RIB dump of one
peer, for `gobgp mrt inject global FILE`, which loads it into gobgpd's
global RIB. The prefixes are those of tests/bench/peers.sh's announce
rows: the i-th (from 0) is 10.(i / 65536 % 256).(i / 256 % 256).(i % 256)/32.
Every route has ORIGIN IGP, an empty AS_PATH (a route of our own: the
speaker prepends its AS on eBGP) and NEXT_HOP --next-hop.

--pad K appends the first K routes (cycling when K > N) once more: gobgp
3.10's `mrt inject` exits without draining its gRPC stream, so the last
few hundred paths it sends can be lost (osrg/gobgp pull request 3044).
Lost repeats do not matter; received ones replace identical paths.

  mkmrt.py --count 1000000 --next-hop 192.0.2.10 --pad 4096 OUT.mrt
"""
import argparse
import ipaddress
import struct
import sys
import time

TABLE_DUMP_V2 = 13
PEER_INDEX_TABLE = 1
RIB_IPV4_UNICAST = 2


def record(ts, subtype, body):
    return struct.pack("!IHHI", ts, TABLE_DUMP_V2, subtype, len(body)) + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--next-hop", default="192.0.2.10")
    ap.add_argument("--peer", default=None,
                    help="the dumped peer's address (default: --next-hop)")
    ap.add_argument("--peer-as", type=int, default=65010)
    ap.add_argument("--pad", type=int, default=0,
                    help="then the first PAD routes again (see above)")
    ap.add_argument("out")
    a = ap.parse_args()
    if not 0 <= a.count <= 1 << 24:
        sys.exit("mkmrt: --count must be 0 .. 16777216 (10.0.0.0/8)")
    nh = ipaddress.IPv4Address(a.next_hop).packed
    peer = ipaddress.IPv4Address(a.peer or a.next_hop).packed
    ts = int(time.time())

    # One peer: type 0x02 (AS4, IPv4 address), BGP ID = its address.
    view = b""
    pit = (peer + struct.pack("!H", len(view)) + view + struct.pack("!H", 1)
           + struct.pack("!B", 0x02) + peer + peer
           + struct.pack("!I", a.peer_as))
    # ORIGIN IGP, AS_PATH empty, NEXT_HOP: the same for every route.
    attrs = (b"\x40\x01\x01\x00" + b"\x40\x02\x00"
             + b"\x40\x03\x04" + nh)
    # The entry after the prefix: count 1, peer 0, originated, attributes.
    entry = struct.pack("!HHIH", 1, 0, ts, len(attrs)) + attrs
    hdr = struct.Struct("!IHHIIB4s")	# MRT header + sequence + plen + prefix
    sub_len = 4 + 1 + 4 + len(entry)
    with open(a.out, "wb") as f:
        f.write(record(ts, PEER_INDEX_TABLE, pit))
        buf = []
        total = a.count + (a.pad if a.count else 0)
        for k in range(total):
            i = k % a.count
            pfx = bytes((10, (i >> 16) & 255, (i >> 8) & 255, i & 255))
            buf.append(hdr.pack(ts, TABLE_DUMP_V2, RIB_IPV4_UNICAST, sub_len,
                                k, 32, pfx))
            buf.append(entry)
            if len(buf) >= 65536:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))


if __name__ == "__main__":
    main()
