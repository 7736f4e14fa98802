package io.gev.websocket;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What only a server sends, from Python's and Node's: a message in three frames, a ping. */
@Timeout(60)
class WebSocketClientServerFramesTest {

    /** What a session of {@code peer} at {@code path} does, given the session and what it receives. */
    interface Exchange {
        void run(WebSocketSession session, WebSocketClientTest.Messages messages) throws Exception;
    }

    private static void exchange(RunningPeer.Peer peer, String path, Exchange exchange) throws Exception {
        WebSocketClientTest.Messages messages = new WebSocketClientTest.Messages();
        try (RunningPeer running = RunningPeer.start(peer)) {
            WebSocketClient client = WebSocketClient.builder(messages)
                    .options(WebSocketOptions.builder().compression(peer.deflate).build()).build();
            try {
                exchange.run(client.connect(URI.create("ws://127.0.0.1:" + running.port + path)).get(20, TimeUnit.SECONDS),
                        messages);
            } finally {
                client.stop(Duration.ofSeconds(2));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = RunningPeer.Peer.class, names = {"PYTHON", "PYTHON_DEFLATE", "NODE", "NODE_DEFLATE"})
    void assemblesAFragmentedMessage(RunningPeer.Peer peer) throws Exception {
        exchange(peer, "/fragmented", (session, messages) -> {
            assertEquals("fragmented message", messages.next().text());
            session.sendText("after the fragments");
            assertEquals("after the fragments", messages.next().text());
        });
    }

    @ParameterizedTest
    @EnumSource(value = RunningPeer.Peer.class, names = {"PYTHON", "PYTHON_DEFLATE", "NODE", "NODE_DEFLATE"})
    void answersAPing(RunningPeer.Peer peer) throws Exception {
        exchange(peer, "/ping", (session, messages) -> assertEquals("pong received", messages.next().text()));
    }
}
