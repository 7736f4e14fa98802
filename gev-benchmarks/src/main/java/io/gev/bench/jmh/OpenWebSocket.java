package io.gev.bench.jmh;

import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerInternals;
import io.gev.bench.ws.Handshake;
import io.gev.bench.ws.Masking;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.protocol.Protocol;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A gev WebSocket connection past its upgrade, on an {@link EmbeddedServer}: gev's real
 * connection over an in-memory socket, on the benchmark's thread. The server comes from
 * {@link WebSocketServer#builder}, gev's public entry point, and the upgrade runs through the
 * connection as a client's request would; {@link #protocol}, for decoding frames directly, is one
 * with the server's options. The handler echoes messages. No timers: the options
 * turn off the handshake timeout, and keep-alive pings are off by default.
 */
final class OpenWebSocket {

    /** The masking key of every client frame here; any value does. */
    static final int KEY = 0x37FA213D;

    final Protocol<WebSocketMessage> protocol;
    /** The open connection, fed frame by frame by {@link #embedded}'s socket. */
    final EmbeddedConnection embedded;
    final Connection connection;

    OpenWebSocket() {
        WebSocketOptions options = WebSocketOptions.builder().handshakeTimeout(Duration.ZERO).build();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
        Server.Builder builder = WebSocketServer.builder(echo, options);
        protocol = ServerInternals.protocol(builder.build());
        embedded = EmbeddedServer.start(builder).connect();
        connection = embedded.connection();

        String key = Handshake.newKey(1);
        embedded.receive(Handshake.request("localhost", WebSocketServer.DEFAULT_PORT, "/", key));
        String response = new String(embedded.takeSent(), StandardCharsets.US_ASCII);
        int end = response.indexOf("\r\n\r\n");
        String problem = end < 0 ? "no complete response: " + response : Handshake.check(response.substring(0, end), key);
        if (problem != null || !embedded.isOpen()) {
            throw new IllegalStateException("upgrade refused: " + problem);
        }
    }

    /** A whole masked binary frame from a client, as it arrives off the socket. */
    static byte[] clientBinaryFrame(byte[] payload) {
        return clientFrame(payload, false);
    }

    /** A whole masked text frame from a client; {@code utf8} must be valid UTF-8. */
    static byte[] clientTextFrame(byte[] utf8) {
        return clientFrame(utf8, true);
    }

    private static byte[] clientFrame(byte[] payload, boolean text) {
        byte[] header = Handshake.clientBinaryHeader(payload.length);
        if (text) {
            header[0] = (byte) 0x81;
        }
        byte[] frame = new byte[header.length + 4 + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        int at = header.length;
        frame[at] = (byte) (KEY >>> 24);
        frame[at + 1] = (byte) (KEY >>> 16);
        frame[at + 2] = (byte) (KEY >>> 8);
        frame[at + 3] = (byte) KEY;
        Masking.maskBytewise(payload, 0, frame, at + 4, payload.length, KEY);
        return frame;
    }

    /** The size of the unmasked frame a server sends for a payload of {@code length} bytes. */
    static int serverFrameLength(int length) {
        return Handshake.serverBinaryHeader(length).length + length;
    }
}
