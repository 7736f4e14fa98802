package io.gev.websocket;

import org.junit.jupiter.params.provider.Arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;

import static io.gev.websocket.WsTestClient.frame;

/**
 * The bad inputs a server must refuse, shared by the decoder's unit tests and the tests over real
 * sockets: frames with the close code they must cause, upgrade requests with their HTTP status.
 */
final class BadInput {

    /** Limits of the servers and decoders these cases run against. */
    static final int MAX_FRAME = 1000;
    static final int MAX_MESSAGE = 2000;
    static final int MAX_HANDSHAKE = 1024;

    private static final int MASK = 0x37FA213D;

    private BadInput() {
    }

    static WebSocketOptions options() {
        return WebSocketOptions.builder().maxFrameSize(MAX_FRAME).maxMessageSize(MAX_MESSAGE)
                .compression(true).compressionMinSize(0)
                .paths("/ws", "/app/*").allowedOrigins("https://good.example")
                .maxHandshakeSize(MAX_HANDSHAKE).build();
    }

    private static byte[] masked(boolean fin, int rsv, int opcode, byte[] payload) {
        return frame(fin, rsv, opcode, payload, MASK, true);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** A client's permessage-deflate payload of {@code data}: deflated with a sync flush, tail cut. */
    static byte[] deflate(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        byte[] buf = new byte[data.length + 64];
        int n = 0;
        while (true) {
            n += deflater.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
            if (n < buf.length) {
                break;
            }
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        // No new input since the last flush gives no output at all: send an empty stored block.
        return n < 4 ? new byte[1] : java.util.Arrays.copyOf(buf, n - 4);
    }

    /**
     * Frame cases: name, whether permessage-deflate is negotiated, the bytes after the upgrade,
     * the close code expected. None of them completes a valid message after the bad part, so a
     * server that waits for more instead of failing at once is caught.
     */
    static List<Arguments> frames() {
        List<Arguments> cases = new ArrayList<>();
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        cases.add(Arguments.of("unmasked frame", false, frame(true, 0, 1, hello, 0, false), 1002));
        cases.add(Arguments.of("64-bit length with the top bit set", false,
                hex("82ff8000000000000005" + "37fa213d"), 1002));
        cases.add(Arguments.of("16-bit length of 5, not minimal", false, hex("81fe0005" + "37fa213d"), 1002));
        cases.add(Arguments.of("64-bit length of 65535, not minimal", false, hex("82ff000000000000ffff" + "37fa213d"), 1002));
        cases.add(Arguments.of("RSV1 without an extension", false, masked(true, 4, 2, hello), 1002));
        cases.add(Arguments.of("RSV2", true, masked(true, 2, 2, hello), 1002));
        cases.add(Arguments.of("RSV3", true, masked(true, 1, 1, hello), 1002));
        cases.add(Arguments.of("RSV1 on a control frame", true, masked(true, 4, 9, hello), 1002));
        cases.add(Arguments.of("RSV1 on a continuation", true,
                concat(masked(false, 4, 2, deflate(new Deflater(6, true), hello)), masked(true, 4, 0, hello)), 1002));
        cases.add(Arguments.of("reserved data opcode 0x3", false, masked(true, 0, 3, hello), 1002));
        cases.add(Arguments.of("reserved control opcode 0xB", false, masked(true, 0, 0xB, hello), 1002));
        cases.add(Arguments.of("continuation without a start", false, masked(true, 0, 0, hello), 1002));
        cases.add(Arguments.of("new message inside a fragmented one", false,
                concat(masked(false, 0, 1, hello), masked(true, 0, 1, hello)), 1002));
        cases.add(Arguments.of("control frame over 125 bytes", false, masked(true, 0, 9, new byte[126]), 1002));
        cases.add(Arguments.of("fragmented control frame", false, masked(false, 0, 9, hello), 1002));
        cases.add(Arguments.of("invalid UTF-8 in one frame", false, masked(true, 0, 1, hex("48c0af")), 1007));
        cases.add(Arguments.of("invalid UTF-8 in a later fragment, before the last", false,
                concat(masked(false, 0, 1, hello), masked(false, 0, 0, hex("eda080"))), 1007));
        cases.add(Arguments.of("UTF-8 sequence cut by the end of the message", false,
                concat(masked(false, 0, 1, hex("41e2")), masked(true, 0, 0, hex("82"))), 1007));
        cases.add(Arguments.of("frame over maxFrameSize (header alone)", false,
                hex("82fe03e9" + "37fa213d"), 1009));
        cases.add(Arguments.of("message over maxMessageSize", false,
                concat(masked(false, 0, 2, new byte[900]), masked(false, 0, 0, new byte[900]),
                        hex("80fe00c9" + "37fa213d")), 1009));
        cases.add(Arguments.of("close frame with a 1-byte payload", false, masked(true, 0, 8, new byte[]{3}), 1002));
        for (int code : new int[]{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
            cases.add(Arguments.of("close code " + code, false, masked(true, 0, 8, WsTestClient.closePayload(code, "")), 1002));
        }
        cases.add(Arguments.of("close reason not UTF-8", false,
                masked(true, 0, 8, concat(WsTestClient.closePayload(1000, ""), hex("ff"))), 1007));
        byte[] bomb = deflate(new Deflater(9, true), new byte[MAX_MESSAGE + 1]);
        cases.add(Arguments.of("compressed message inflating over maxMessageSize", true, masked(true, 4, 2, bomb), 1009));
        cases.add(Arguments.of("invalid compressed data", true, masked(true, 4, 2, hex("ffffffff")), 1007));
        cases.add(Arguments.of("compressed text inflating to invalid UTF-8", true,
                masked(false, 4, 1, deflate(new Deflater(6, true), hex("41c0af"))), 1007));
        return cases;
    }

    /** Upgrade request cases: name, request, the status expected. */
    static List<Arguments> handshakes() {
        String key = "Sec-WebSocket-Key: " + WsTestClient.KEY + "\r\n";
        String base = "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n";
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("POST", "POST /ws HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 405));
        cases.add(Arguments.of("no Host", "GET /ws HTTP/1.1\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("two Host headers", "GET /ws HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("unknown path", "GET /nope HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 404));
        cases.add(Arguments.of("path outside a prefix", "GET /application HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 404));
        cases.add(Arguments.of("plain HTTP GET", "GET /ws HTTP/1.1\r\nHost: h\r\nAccept: text/html\r\n\r\n", 426));
        cases.add(Arguments.of("Upgrade to something else", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n"
                + "Connection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", 400));
        cases.add(Arguments.of("Connection without upgrade", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: keep-alive\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", 400));
        cases.add(Arguments.of("version 8", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 8\r\n\r\n", 426));
        cases.add(Arguments.of("no version", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n" + key + "\r\n", 426));
        cases.add(Arguments.of("no key", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400));
        cases.add(Arguments.of("key of 15 bytes", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n\r\n", 400));
        cases.add(Arguments.of("key not base64", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400));
        cases.add(Arguments.of("two keys", "GET /ws HTTP/1.1\r\nHost: h\r\n" + base + key + "\r\n", 400));
        cases.add(Arguments.of("origin not allowed", "GET /ws HTTP/1.1\r\nHost: h\r\n" + base
                + "Origin: https://evil.example\r\n\r\n", 403));
        cases.add(Arguments.of("headers over maxHandshakeSize", "GET /ws HTTP/1.1\r\nHost: h\r\n" + base
                + "X-Big: " + "a".repeat(MAX_HANDSHAKE) + "\r\n\r\n", 431));
        cases.add(Arguments.of("request line over maxHandshakeSize", "GET /ws?" + "q".repeat(MAX_HANDSHAKE)
                + " HTTP/1.1\r\n", 431));
        cases.add(Arguments.of("malformed request line", "GARBAGE\r\n\r\n", 400));
        cases.add(Arguments.of("two spaces in the request line", "GET  /ws HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("HTTP/1.0", "GET /ws HTTP/1.0\r\nHost: h\r\n" + base + "\r\n", 505));
        cases.add(Arguments.of("HTTP/2.0", "GET /ws HTTP/2.0\r\nHost: h\r\n" + base + "\r\n", 505));
        cases.add(Arguments.of("malformed version", "GET /ws HTTX/1.1\r\nHost: h\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("obsolete line folding", "GET /ws HTTP/1.1\r\nHost: h\r\n X-Folded: y\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("header without a colon", "GET /ws HTTP/1.1\r\nHost: h\r\nNoColon\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("space before a colon", "GET /ws HTTP/1.1\r\nHost : h\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("control character in a value", "GET /ws HTTP/1.1\r\nHost: h\u0001\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("target not a path", "GET * HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 400));
        cases.add(Arguments.of("target with a fragment", "GET /ws#x HTTP/1.1\r\nHost: h\r\n" + base + "\r\n", 400));
        return cases;
    }

    /** Requests that must be accepted: name, request. */
    static List<Arguments> goodHandshakes() {
        String key = "Sec-WebSocket-Key: " + WsTestClient.KEY + "\r\n";
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("minimal", WsTestClient.request("/ws")));
        cases.add(Arguments.of("tokens in any case, lists, bare LF", "GET /app/room/7?x=1 HTTP/1.1\nhost: h\n"
                + "UPGRADE: WebSocket\nconnection: keep-alive, Upgrade\n" + key.replace("\r", "")
                + "sec-websocket-version: 13\nOrigin: HTTPS://GOOD.EXAMPLE\n\n"));
        cases.add(Arguments.of("leading empty line and absolute-form target", "\r\nGET ws://h:80/ws HTTP/1.1\r\n"
                + "Host: h:80\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n"
                + "X-Empty:\r\n\r\n"));
        cases.add(Arguments.of("HTTP/1.1 with a higher minor version", "GET /ws HTTP/1.2\r\nHost: h\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n"));
        return cases;
    }
}
