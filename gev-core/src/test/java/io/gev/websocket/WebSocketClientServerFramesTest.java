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

    @ParameterizedTest
    @EnumSource(value = RunningPeer.Peer.class, names = {"PYTHON", "PYTHON_DEFLATE", "NODE", "NODE_DEFLATE"})
    void assemblesAFragmentedMessage(RunningPeer.Peer peer) throws Exception {
        WebSocketClientTest.Messages messages = new WebSocketClientTest.Messages();
        try (RunningPeer running = RunningPeer.start(peer)) {
            WebSocketClient client = WebSocketClient.builder(messages)
                    .options(WebSocketOptions.builder().compression(peer.deflate).build()).build();
            try {
                WebSocketSession session = client.connect(URI.create("ws://127.0.0.1:" + running.port + "/fragmented"))
                        .get(20, TimeUnit.SECONDS);
                assertEquals("fragmented message", messages.next().text());
                session.sendText("after the fragments");
                assertEquals("after the fragments", messages.next().text());
            } finally {
                client.stop(Duration.ofSeconds(2));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = RunningPeer.Peer.class, names = {"PYTHON", "PYTHON_DEFLATE", "NODE", "NODE_DEFLATE"})
    void answersAPing(RunningPeer.Peer peer) throws Exception {
        WebSocketClientTest.Messages messages = new WebSocketClientTest.Messages();
        try (RunningPeer running = RunningPeer.start(peer)) {
            WebSocketClient client = WebSocketClient.builder(messages)
                    .options(WebSocketOptions.builder().compression(peer.deflate).build()).build();
            try {
                client.connect(URI.create("ws://127.0.0.1:" + running.port + "/ping")).get(20, TimeUnit.SECONDS);
                assertEquals("pong received", messages.next().text());
            } finally {
                client.stop(Duration.ofSeconds(2));
            }
        }
    }
}
