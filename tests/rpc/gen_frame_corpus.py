#!/usr/bin/python3
"""Write the seed corpus of tests/fuzz/fuzz_rpc_frame.c: real frames of every type, a
stream of several, and a few broken ones. Run from the project root:
    /usr/bin/python3 tests/rpc/gen_frame_corpus.py
Each file is one byte choosing how the fuzz target cuts the stream into reads, then the
stream. The layout is src/rpc/frame.h's; the bodies are hand-encoded protobuf of
src/rpc/proto/*.proto (field numbers must match those files)."""
import os, struct

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

HELLO, RAFT_BATCH, HEARTBEAT, HEARTBEAT_RESP, SNAPSHOT_CHUNK, REQUEST, RESPONSE = range(1, 8)

def frame(ftype, body, version=1):
    head = struct.pack(">IBBHI", len(body), ftype, version, 0, crc32c(body))
    return head + struct.pack(">I", crc32c(head)) + body

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def f_varint(num, v):
    return varint(num << 3) + varint(v)

def f_bytes(num, b):
    return varint(num << 3 | 2) + varint(len(b)) + b

def hello(node, cluster, addr):
    return (f_varint(1, 1) + f_varint(2, node) + f_bytes(3, cluster.encode()) +
            f_bytes(4, addr.encode()) + f_varint(5, 0xABCDEF))

def entry(term, index, data):
    return f_varint(1, 0) + f_varint(2, term) + f_varint(3, index) + f_bytes(4, data)

def conf_state():
    return f_bytes(1, varint(1) + varint(2) + varint(3)) + f_bytes(3, varint(4))

def raft_message(range_id, mtype, index, entries=(), snapshot=None):
    m = (f_varint(1, range_id) + f_varint(2, 1) + f_varint(3, 2) + f_varint(4, 1) +
         f_varint(5, 2) + f_varint(6, mtype) + f_varint(7, 5) + f_varint(8, 4) +
         f_varint(9, index))
    for e in entries:
        m += f_bytes(10, e)
    m += f_varint(11, index) + f_varint(15, 77)
    if snapshot is not None:
        m += f_bytes(17, snapshot)
    return m

def raft_batch(msgs):
    return b"".join(f_bytes(1, m) for m in msgs)

def heartbeat(n):
    beats = b"".join(f_bytes(3, f_varint(1, r) + f_varint(2, 1) + f_varint(3, 2) +
                             f_varint(4, 5) + f_varint(5, r * 10)) for r in range(1, n + 1))
    return f_varint(1, 1) + f_varint(2, 2) + beats

def heartbeat_resp(n):
    resps = b"".join(f_bytes(3, f_varint(1, r) + f_varint(4, 5) + f_varint(6, r % 2))
                     for r in range(1, n + 1))
    return f_varint(1, 2) + f_varint(2, 1) + resps

def snapshot_chunk():
    meta = f_varint(1, 100) + f_varint(2, 5) + f_bytes(3, conf_state())
    return (f_varint(1, 9) + f_varint(7, 1) + f_bytes(8, meta) + f_varint(9, 0) +
            f_bytes(10, b"snapshot bytes" * 4) + f_varint(11, 1) + f_varint(12, 56) +
            f_varint(13, 0x12345678))

def request(call_id, method, payload):
    return f_varint(1, call_id) + f_varint(2, method) + f_varint(3, 5000) + f_bytes(4, payload)

def response(call_id, status, error, payload):
    return (f_varint(1, call_id) + f_varint(2, status) + f_bytes(3, error.encode()) +
            f_bytes(4, payload))

def main():
    out_dir = "tests/fuzz/corpus/fuzz_rpc_frame"
    os.makedirs(out_dir, exist_ok=True)
    app = raft_message(7, 3, 12, [entry(5, 13, b"put k v"), entry(5, 14, b"")])
    snap_meta = f_bytes(1, f_varint(1, 100) + f_varint(2, 5) + f_bytes(3, conf_state()))
    snap = raft_message(8, 11, 100, snapshot=snap_meta + f_bytes(2, b"state"))
    vote = raft_message(9, 5, 3) + f_varint(14, 1) + f_bytes(18, b"ctx")
    files = {
        "hello": frame(HELLO, hello(1, "cluster-a", "127.0.0.1:7070")),
        "raft_batch": frame(RAFT_BATCH, raft_batch([app, snap, vote])),
        "heartbeat": frame(HEARTBEAT, heartbeat(20)),
        "heartbeat_resp": frame(HEARTBEAT_RESP, heartbeat_resp(20)),
        "snapshot_chunk": frame(SNAPSHOT_CHUNK, snapshot_chunk()),
        "request": frame(REQUEST, request(42, 2, b"\x01\x02batch")),
        "response": frame(RESPONSE, response(42, 3, "conflict; retry", b"")),
        "empty_bodies": b"".join(frame(t, b"") for t in range(1, 8)),
        "session": (frame(HELLO, hello(2, "cluster-a", "[::1]:7071")) +
                    frame(RAFT_BATCH, raft_batch([app] * 5)) +
                    frame(REQUEST, request(1, 1, b"ping")) +
                    frame(RESPONSE, response(1, 0, "", b"ping"))),
        "bad_body_crc": frame(RAFT_BATCH, raft_batch([app]))[:-1] + b"\x00",
        "bad_version": frame(HELLO, hello(1, "c", "h:1"), version=2),
        "undecodable_body": frame(RAFT_BATCH, b"\x0a\x7f\x08"),
        "truncated": frame(REQUEST, request(3, 2, b"x" * 100))[:60],
    }
    for i, (name, stream) in enumerate(sorted(files.items())):
        chunking = bytes([i * 7 % 256])
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(chunking + stream)
    print(f"wrote {len(files)} files to {out_dir}")

if __name__ == "__main__":
    main()
