"""Echo check for gev's WebSocket server with the `websockets` library (a client nobody here wrote).

Usage: echo_client.py URI COUNT SEED deflate|none

Sends COUNT messages of random sizes and types (text and binary, some fragmented, three of at
least 1 MiB), a window of them at a time, expects each one back unchanged and in order, pings,
then closes with code 4000 and expects the server to echo it. Prints one summary line; exits
non-zero on any mismatch.
"""
import asyncio
import random
import sys

import websockets


def message(rng, index, count):
    if index in (count // 4, count // 2, 3 * count // 4):
        size = rng.randint(1 << 20, (1 << 20) + (1 << 19))  # at least 1 MiB
    elif rng.random() < 0.05:
        size = rng.randint(4096, 200_000)
    else:
        size = rng.randint(0, 600)
    if rng.random() < 0.5:
        # Text, mostly compressible, with multi-byte characters.
        words = ["gev", "websocket", "caf\u00e9", "\u6f22\u5b57", "\U0001F600", str(index)]
        return " ".join(rng.choices(words, k=size // 6)) if size else ""
    if rng.random() < 0.3:
        return rng.randbytes(size)  # incompressible
    base = rng.randbytes(min(size, 256)) or b""
    return (base * (size // max(1, len(base)) + 1))[:size]

async def run(uri, count, seed, compression):
    rng = random.Random(seed)
    async with websockets.connect(uri, compression=compression, max_size=8 << 20,
                                  ping_interval=None, close_timeout=10) as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions")
        sent = 0
        window = 16
        total_bytes = 0
        while sent < count:
            batch = [message(rng, sent + k, count) for k in range(min(window, count - sent))]
            for k, m in enumerate(batch):
                if (sent + k) % 10 == 3 and len(m) >= 3:
                    third = len(m) // 3
                    await ws.send([m[:third], m[third:2 * third], m[2 * third:]])  # fragmented
                else:
                    await ws.send(m)
            for k, m in enumerate(batch):
                echo = await ws.recv()
                if echo != m:
                    print(f"FAIL message {sent + k}: sent {type(m).__name__} of {len(m)}, "
                          f"got {type(echo).__name__} of {len(echo)}")
                    return 1
                total_bytes += len(m)
            sent += len(batch)
        pong = await ws.ping(b"python")
        await asyncio.wait_for(pong, 10)
        await ws.close(code=4000, reason="done")
        if ws.close_code != 4000:
            print(f"FAIL close code {ws.close_code}")
            return 1
        print(f"OK {count} messages, {total_bytes} bytes, extensions={extensions}")
        return 0


def main():
    uri, count, seed, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    sys.exit(asyncio.run(run(uri, count, seed, "deflate" if mode == "deflate" else None)))


if __name__ == "__main__":
    main()
