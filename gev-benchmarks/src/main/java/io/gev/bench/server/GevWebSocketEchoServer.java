package io.gev.bench.server;

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
