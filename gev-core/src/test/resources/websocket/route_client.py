"""Opens WebSockets to several paths of one gev server with the `websockets` library.

Usage: route_client.py URI [SUBPROTOCOLS [ORIGIN]] ...

Takes one URI, then optionally a comma-separated list of subprotocols to offer ('-' for none) and
an Origin header to send ('-' for none), for each connection. For each, prints one line: 'OPEN
<subprotocol or -> <reply>' when the server accepted the upgrade (the reply is the server's answer
to the text 'hello <path>'), or 'REFUSED <status>' when it answered with an HTTP status instead.
"""
import asyncio
import sys
from urllib.parse import urlparse

import websockets
import websockets.exceptions


def refused_status(error):
    # websockets < 11 raises InvalidStatusCode with status_code; later ones InvalidStatus with response.
    response = getattr(error, "response", None)
    if response is not None:
        return response.status_code
    return error.status_code


async def attempt(uri, subprotocols, origin):
    try:
        async with websockets.connect(uri, subprotocols=subprotocols, origin=origin, compression=None,
                                      ping_interval=None, close_timeout=10, open_timeout=10) as ws:
            await ws.send("hello " + urlparse(uri).path)
            reply = await ws.recv()
            return f"OPEN {ws.subprotocol or '-'} {reply}"
    except (getattr(websockets.exceptions, "InvalidStatusCode", ()),
            getattr(websockets.exceptions, "InvalidStatus", ())) as error:
        return f"REFUSED {refused_status(error)}"


async def main(args):
    i = 0
    while i < len(args):
        uri = args[i]
        subprotocols = None
        origin = None
        if i + 1 < len(args) and not args[i + 1].startswith("ws"):
            subprotocols = None if args[i + 1] == "-" else args[i + 1].split(",")
            i += 1
            if i + 1 < len(args) and not args[i + 1].startswith("ws"):
                origin = None if args[i + 1] == "-" else args[i + 1]
                i += 1
        print(await attempt(uri, subprotocols, origin), flush=True)
        i += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
