package io.gev.example;

import io.gev.Server;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;

import java.time.Duration;

/**
 * The README's WebSocket echo example: connect to {@code ws://localhost:1834/echo} (a browser's
 * console: {@code new WebSocket("ws://localhost:1834/echo")}). Stop with Ctrl-C. Run it with
 * {@code mvn -q -pl gev-core test-compile exec:java -Dexec.mainClass=io.gev.example.WebSocketEchoServer}.
 */
public final class WebSocketEchoServer {

    private WebSocketEchoServer() {
    }

    public static void main(String[] args) {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketSession session) {
                session.sendText("welcome, " + session.remoteAddress());
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message; // echo: text as text, binary as binary
            }

            @Override
            public void onClose(WebSocketSession session, int code, String reason) {
                System.out.println(session + " closed: " + code + " " + reason);
            }
        };
        WebSocketOptions options = WebSocketOptions.builder()
                .paths("/echo")
                .compression(true)                      // permessage-deflate when the client offers it
                .pingInterval(Duration.ofSeconds(30))   // drop clients that stop answering
                .build();
        Server server = WebSocketServer.builder(echo, options).port(1834).build();
        server.start();
    }
}
