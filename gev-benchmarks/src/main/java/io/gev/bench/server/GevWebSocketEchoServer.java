package io.gev.bench.server;

// TODO(websocket branch): this file is deliberately outside src/main/java, so the build ignores it
// until gev has io.gev.websocket. When that lands, move it to
// src/main/java/io/gev/bench/server/ and `run.sh` measures "ws c=100 m=512" for gev too
// (BenchServer finds it by name; until then the runner reports gev-ws as not available).
// Check the option names against the final WebSocketOptions API.

import io.gev.Server;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;

import java.util.List;

/** gev's WebSocket echo on {@code /echo}: every text or binary message is sent back as it came. */
public final class GevWebSocketEchoServer extends GevEchoServer {

    @Override
    protected Server.Builder builder() {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
        // The same limits as the Netty peer: one path, frames up to 1 MiB, no compression.
        WebSocketOptions options = WebSocketOptions.builder()
                .paths(List.of("/echo"))
                .maxFrameSize(NettyWebSocketEchoServer.MAX_FRAME)
                .compression(false)
                .build();
        return WebSocketServer.builder(echo, options).name("bench-ws");
    }
}
