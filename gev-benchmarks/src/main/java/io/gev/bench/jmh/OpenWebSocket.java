package io.gev.bench.jmh;

import io.gev.Handler;
import io.gev.Server;
import io.gev.bench.ws.Handshake;
import io.gev.bench.ws.Masking;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A gev WebSocket connection past its upgrade, without a socket or a loop. The protocol and its
 * handler come from {@link WebSocketServer#builder}, gev's public entry point, and the upgrade
 * runs as a server runs it: the request is unpacked, the handler accepts it and the 101 answer
 * is packed through {@link StubConnection#send}. No timers: the options turn off the handshake
 * timeout, and keep-alive pings are off by default.
 */
final class OpenWebSocket {

    /** The masking key of every client frame here; any value does. */
    static final int KEY = 0x37FA213D;

    final Protocol protocol;
    final StubConnection connection = new StubConnection();

    OpenWebSocket() {
        WebSocketOptions options = WebSocketOptions.builder().handshakeTimeout(Duration.ZERO).build();
        Server.Builder server = WebSocketServer.builder(new WebSocketHandler() { }, options);
        protocol = server.protocol();
        Handler handler = server.handler();
        RingBuffer in = RingBuffer.allocate(1024);
        RingBuffer sent = RingBuffer.allocate(1024);
        connection.packSendsInto(protocol, sent);
        protocol.onConnect(connection);

        String key = Handshake.newKey(1);
        in.write(Handshake.request("localhost", WebSocketServer.DEFAULT_PORT, "/", key));
        Frame frame = new Frame();
        if (!protocol.unpack(connection, in, frame)) {
            throw new IllegalStateException("the upgrade request did not decode");
        }
        handler.onMessage(connection, frame.context(), frame.payload());
        String response = new String(sent.readBytes(sent.length()), StandardCharsets.US_ASCII);
        String problem = Handshake.check(response.substring(0, response.indexOf("\r\n\r\n")), key);
        if (problem != null) {
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
