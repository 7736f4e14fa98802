"""Checks gev's permessage-deflate with a small server window, using the `websockets` library.

Usage: window_client.py URI BITS

Offers permessage-deflate with server_max_window_bits=BITS, so that the library's decompressor
is made with a window of 2^BITS bytes: a back reference of the server reaching further fails
("invalid distance too far back"). Sends messages of sizes around the window and far beyond it,
repeated so that context from earlier messages would tempt a compressor, expects each back
unchanged, then closes with 1000. Prints one summary line; exits non-zero on any mismatch.
"""
import asyncio
import random
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory


async def run(uri, bits):
    rng = random.Random(bits)
    window = 1 << bits
    factory = ClientPerMessageDeflateFactory(server_max_window_bits=bits)
    async with websockets.connect(uri, extensions=[factory], compression=None, max_size=8 << 20,
                                  ping_interval=None, close_timeout=10) as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions")
        if extensions != f"permessage-deflate; server_max_window_bits={bits}":
            print(f"FAIL negotiated {extensions!r}")
            return 1
        words = ["gev", "websocket", "window", "caf\u00e9", str(bits)]
        messages = []
        for size in (10, window - 1, window, window + 1, 3 * window + 7, 200_000):
            text = " ".join(rng.choices(words, k=size // 5 + 1))[:size]
            messages += [text, text]  # the same again: a compressor keeping context would refer back
            messages.append(text.encode() * 2)
            messages.append(rng.randbytes(min(size, 50_000)))
        for m in messages:
            await ws.send(m)
            echo = await ws.recv()
            if echo != m:
                print(f"FAIL {type(m).__name__} of {len(m)}: got {type(echo).__name__} of {len(echo)}")
                return 1
        await ws.close(code=1000)
        print(f"OK {len(messages)} messages, window {window}, extensions={extensions}")
        return 0


def main():
    sys.exit(asyncio.run(run(sys.argv[1], int(sys.argv[2]))))


if __name__ == "__main__":
    main()
