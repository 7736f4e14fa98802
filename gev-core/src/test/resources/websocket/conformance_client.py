"""Conformance subset for gev's WebSocket server with the `websockets` library (a client nobody here wrote).

Usage: conformance_client.py URI SEED SCENARIO...

Each scenario opens its own connection. The test on the other side feeds every byte this client
sends to the server as a segment of its own, so fragments, pings and close frames all reach it
byte-chopped. Prints one line per scenario; exits non-zero at the first failure.

  fragments       text and binary messages in 1-7 fragments, pings between fragments (each pong
                  must come before the echo of its message), unsolicited pongs, close 4000 echoed
  deflate         the same with permessage-deflate as websockets offers it
  no-context      permessage-deflate with server_ and client_no_context_takeover
  invalid-utf8    a text frame that is not UTF-8: the server's close frame must say 1007
  reserved-opcode a frame with opcode 3: the server's close frame must say 1002
  ping-too-big    a ping of 126 bytes: 1002
"""
import asyncio
import random
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

WORDS = ["gev", "websocket", "caf\u00e9", "\u6f22\u5b57", "\U0001F600", "fragment"]


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def text(rng, size):
    return " ".join(rng.choices(WORDS, k=max(1, size // 6)))


def cut(message, parts, rng):
    points = sorted(rng.randint(0, len(message)) for _ in range(parts - 1))
    bounds = [0] + points + [len(message)]
    return [message[bounds[i]:bounds[i + 1]] for i in range(parts)]


async def echo_run(ws, rng, count):
    fragmented = 0
    between = 0
    for i in range(count):
        size = rng.choice([0, 1, 10, 125, 126, 300, 2000, 70000]) if i % 7 == 0 else rng.randint(0, 600)
        message = text(rng, size) if rng.random() < 0.6 else rng.randbytes(size)
        parts = rng.randint(1, 7)
        pongs = []
        if parts == 1:
            await ws.send(message)
        else:
            fragments = cut(message, parts, rng)

            async def with_pings():
                for k, fragment in enumerate(fragments):
                    yield fragment
                    if k < len(fragments) - 1 and rng.random() < 0.5:
                        # A ping between two fragments of the message.
                        pongs.append(await ws.ping(b"between %d/%d" % (i, k)))

            await ws.send(with_pings())
            fragmented += 1
            between += len(pongs)
        if rng.random() < 0.2:
            await ws.pong(b"unsolicited")
        echo = await ws.recv()
        check(echo == message, f"message {i}: sent {type(message).__name__} of {len(message)}, "
                               f"got {type(echo).__name__} of {len(echo)}")
        # The server answers each ping when it reads it, before the message it interrupted ends.
        check(all(p.done() for p in pongs), f"message {i}: its echo came before the pongs")
    pong = await ws.ping(b"last")
    await asyncio.wait_for(pong, 10)
    await ws.close(code=4000, reason="done")
    check(ws.close_code == 4000, f"close code {ws.close_code}, expected 4000 echoed")
    return f"{count} messages, {fragmented} fragmented, {between} pings between fragments"


def masked_frame(rng, b0, payload):
    """A client frame written by hand: websockets refuses to build the invalid ones."""
    key = rng.randbytes(4)
    return bytes([b0, 0x80 | len(payload)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


async def expect_failure(ws, rng, b0, payload, code):
    if len(payload) > 125:
        key = rng.randbytes(4)
        ws.transport.write(bytes([b0, 0xFE]) + len(payload).to_bytes(2, "big") + key
                           + bytes(b ^ key[i % 4] for i, b in enumerate(payload)))
    else:
        ws.transport.write(masked_frame(rng, b0, payload))
    await asyncio.wait_for(ws.wait_closed(), 10)
    check(ws.close_code == code, f"the server closed with {ws.close_code}, expected {code}")


async def scenario(uri, name, rng):
    kwargs = dict(ping_interval=None, close_timeout=10, max_size=1 << 20)
    if name == "deflate":
        kwargs["compression"] = "deflate"
    elif name == "no-context":
        kwargs["compression"] = None
        kwargs["extensions"] = [ClientPerMessageDeflateFactory(
            server_no_context_takeover=True, client_no_context_takeover=True)]
    else:
        kwargs["compression"] = None
    async with websockets.connect(uri, **kwargs) as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions")
        if name in ("deflate", "no-context"):
            check(extensions is not None and extensions.startswith("permessage-deflate"),
                  f"permessage-deflate not accepted: {extensions}")
            if name == "no-context":
                check("server_no_context_takeover" in extensions, extensions)
        summary = f"close {{code}}"
        if name in ("fragments", "deflate", "no-context"):
            summary = await echo_run(ws, rng, 120)
        elif name == "invalid-utf8":
            await expect_failure(ws, rng, 0x81, "valid, then ".encode() + b"\xed\xa0\x80", 1007)
        elif name == "reserved-opcode":
            await expect_failure(ws, rng, 0x83, b"", 1002)
        elif name == "ping-too-big":
            await expect_failure(ws, rng, 0x89, bytes(126), 1002)
        else:
            raise Failure(f"unknown scenario {name}")
        return f"{summary.format(code=ws.close_code)}, extensions={extensions}"


async def main(uri, seed, names):
    for name in names:
        rng = random.Random(f"{seed}-{name}")
        try:
            result = await scenario(uri, name, rng)
        except Failure as e:
            print(f"FAIL {name}: {e}")
            return 1
        print(f"OK {name}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])))
