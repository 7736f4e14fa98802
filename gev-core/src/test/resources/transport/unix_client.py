"""Clients of a gev server on a Unix domain socket, with Python's own AF_UNIX sockets.

Usage: unix_client.py PATH MODE SEED
  raw        sends 2 MB of random bytes in random cuts and expects them echoed as they came
  length     sends 500 frames with a 4-byte big-endian length header, in random cuts
             (byte by byte, random sizes, several frames coalesced), and expects each echoed
  pid        sends one length-field frame and expects the server to answer with the pid it
             read from the socket's peer credentials, which must be this process's
  websocket  echoes 200 random messages through the `websockets` library over the socket

Prints one line starting with OK; exits non-zero on any mismatch.
"""
import os
import random
import socket
import struct
import sys


def recv_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit("end of stream after %d of %d bytes" % (len(data), n))
        data += chunk
    return bytes(data)


def echoed_in_cuts(path, data, cut):
    """Sends data in pieces of cut() bytes, reading the echo as it comes; True if it came back whole."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.settimeout(30)
        offset, received = 0, bytearray()
        while offset < len(data):
            n = cut()
            s.sendall(data[offset:offset + n])
            offset += n
            # Read what has come so far, so neither side's buffers fill while the other waits.
            s.setblocking(False)
            try:
                while True:
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        raise SystemExit("end of stream while sending")
                    received += chunk
            except BlockingIOError:
                pass
            s.settimeout(30)
        received += recv_exactly(s, len(data) - len(received))
        return bytes(received) == data


def length(path, seed):
    rng = random.Random(seed)
    frames = [rng.randbytes(rng.choice([0, 1, 5, 100, 1000, 20000])) for _ in range(500)]
    wire = b"".join(struct.pack(">I", len(f)) + f for f in frames)
    if not echoed_in_cuts(path, wire, lambda: rng.choice([1, 1, 2, 3, rng.randint(1, 70000)])):
        raise SystemExit("echo differs")
    print("OK %d frames, %d bytes" % (len(frames), len(wire)))


def raw(path, seed):
    rng = random.Random(seed)
    data = rng.randbytes(2 << 20)
    if not echoed_in_cuts(path, data, lambda: rng.choice([1, 7, 1500, rng.randint(1, 200000)])):
        raise SystemExit("echo differs")
    print("OK %d bytes" % len(data))


def pid(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.settimeout(30)
        s.sendall(struct.pack(">I", 3) + b"who")
        size = struct.unpack(">I", recv_exactly(s, 4))[0]
        seen = recv_exactly(s, size).decode()
        if seen != str(os.getpid()):
            raise SystemExit("the server saw pid %s, this process is %d" % (seen, os.getpid()))
    print("OK pid %s" % seen)


def websocket(path, seed):
    import asyncio
    import websockets

    async def run():
        rng = random.Random(seed)
        async with websockets.unix_connect(path, "ws://localhost/echo", max_size=1 << 20) as ws:
            for i in range(200):
                if rng.random() < 0.5:
                    m = "".join(rng.choice("gev caf\u00e9 \u6f22\u5b57 ") for _ in range(rng.randint(0, 3000)))
                else:
                    m = rng.randbytes(rng.randint(0, 70000))
                await ws.send(m)
                if await ws.recv() != m:
                    raise SystemExit("message %d differs" % i)
            await ws.close(4000, "done")
        print("OK 200 messages")

    asyncio.run(run())


if __name__ == "__main__":
    path, mode, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"raw": lambda: raw(path, seed), "length": lambda: length(path, seed), "pid": lambda: pid(path),
     "websocket": lambda: websocket(path, seed)}[mode]()
