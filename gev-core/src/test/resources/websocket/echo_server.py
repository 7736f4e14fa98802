# A WebSocket echo server of Python's websockets library, for gev's WebSocket client tests.
# Prints its port, then serves until killed. argv[1]: "on" or "off" (permessage-deflate).
# Paths: /fragmented sends one text message in three frames first; /ping pings and says when the
# pong came; /close closes with 4000 "bye".
import asyncio
import sys

import websockets


async def handler(ws, path):
    if path == "/close":
        await ws.close(4000, "bye")
        return
    if path == "/ping":
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 10)
        await ws.send("pong received")
    if path == "/fragmented":
        await ws.send(["frag", "mented ", "message"])
    async for message in ws:
        await ws.send(message)


async def main():
    compression = "deflate" if sys.argv[1] == "on" else None
    async with websockets.serve(handler, "127.0.0.1", 0, compression=compression, max_size=4 * 1024 * 1024) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main())
