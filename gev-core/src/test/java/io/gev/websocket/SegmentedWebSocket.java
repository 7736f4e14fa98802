package io.gev.websocket;

import io.gev.testing.SegmentedExchange;
import io.gev.testing.SegmentedExchange.Size;
import io.gev.testing.TestClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * WebSocket conversations for clients whose socket cuts what they send into segments (a
 * {@link io.gev.testing.SegmentedSocket}, or a TLS socket over one): the upgrade, then text and
 * binary messages of every length encoding, some fragmented with pings between the fragments,
 * some deflated when permessage-deflate is negotiated, all as one stream written in chunks of
 * random sizes, and last the close handshake. The echo of every message and the pong of every
 * ping must come back in order and byte for byte, in unmasked frames, then the server's close
 * frame with 1000, then the end of the stream.
 */
public final class SegmentedWebSocket {

    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;
    private static final int RSV1 = 4;

    private SegmentedWebSocket() {
    }

    /**
     * Runs one conversation on {@code socket}, connected and, for wss, past its TLS handshake.
     *
     * @param path the path of the upgrade request
     * @param deflate whether to offer permessage-deflate, which the server must then accept
     * @param maxPayload the largest message and the largest frame payload to send (the server's
     *                   limits or less)
     * @param label names the conversation, its seed included, in failure messages
     */
    public static void converse(Socket socket, String path, boolean deflate, Size size, int maxPayload, long seed,
                                String label) throws Exception {
        Random random = new Random(seed);
        WsTestClient client = WsTestClient.over(new TestClient(socket));
        String request = deflate ? WsTestClient.request(path, "Sec-WebSocket-Extensions: permessage-deflate")
                : WsTestClient.request(path);
        writeInChunks(client, request.getBytes(StandardCharsets.ISO_8859_1), random);
        WsTestClient.HttpResponse response = client.readResponse();
        check(response.status == 101, label, "the upgrade got " + response);
        check(WsTestClient.ACCEPT.equals(response.header("Sec-WebSocket-Accept")), label, "wrong accept in " + response);
        String extensions = response.header("Sec-WebSocket-Extensions");
        if (deflate) {
            check(extensions != null && extensions.startsWith("permessage-deflate"), label,
                    "permessage-deflate was offered but not accepted: " + response);
        } else {
            check(extensions == null, label, "an extension nobody offered: " + response);
        }
        boolean resetDeflater = extensions != null && extensions.contains("client_no_context_takeover");
        Conversation conversation = conversation(random, deflate, resetDeflater, size, maxPayload);

        CompletableFuture<Void> writing = SegmentedExchange.startWriter(label,
                () -> writeInChunks(client, conversation.stream, random));

        Reader reader = new Reader(client, deflate, label);
        for (int i = 0; i < conversation.expected.size(); i++) {
            Expected expected = conversation.expected.get(i);
            Expected got = reader.next();
            if (got.opcode != expected.opcode || !Arrays.equals(got.payload, expected.payload)) {
                throw new AssertionError(label + ": reply " + i + " of " + conversation.expected.size()
                        + " should be " + expected + " but is " + got);
            }
        }
        if (deflate && size == Size.LONG) {
            check(reader.compressed > 0, label, "permessage-deflate was negotiated but no reply was compressed");
        }
        WsTestClient.ServerFrame close = reader.frame();
        check(close.opcode == CLOSE && close.fin && close.rsv == 0, label, "a " + describe(close)
                + " where the close frame should be");
        check(close.payload.length >= 2 && close.payload.length <= 125, label,
                "a close frame of " + close.payload.length + " bytes");
        check(closeCode(close) == 1000, label, "the server closed with " + describe(close) + " instead of 1000");
        check(isUtf8(Arrays.copyOfRange(close.payload, 2, close.payload.length)), label,
                "the close reason is not UTF-8: " + HexFormat.of().formatHex(close.payload));
        SegmentedExchange.expectEnd(socket.getInputStream(), label);
        SegmentedExchange.awaitWriter(writing, label);
    }

    /** Writes {@code bytes} in chunks of 1 byte to 8 KiB, each one write (and one TLS record). */
    private static void writeInChunks(WsTestClient client, byte[] bytes, Random random) throws IOException {
        int offset = 0;
        while (offset < bytes.length) {
            int chunk = Math.min(bytes.length - offset, 1 + random.nextInt(random.nextBoolean() ? 256 : 8192));
            client.write(Arrays.copyOfRange(bytes, offset, offset + chunk));
            offset += chunk;
        }
    }

    private static void check(boolean condition, String label, String what) {
        if (!condition) {
            throw new AssertionError(label + ": " + what);
        }
    }

    /** What the client sends after the upgrade and what it must get back. */
    private record Conversation(byte[] stream, List<Expected> expected) {
    }

    /** A message or pong the server must send. */
    private record Expected(int opcode, byte[] payload) {
        @Override
        public String toString() {
            String type = opcode == TEXT ? "text" : opcode == BINARY ? "binary" : opcode == PONG ? "pong" : "opcode " + opcode;
            return type + " of " + payload.length + " bytes starting "
                    + HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 24));
        }
    }

    private static Conversation conversation(Random random, boolean deflate, boolean resetDeflater, Size size,
                                             int maxPayload) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Expected> expected = new ArrayList<>();
        Deflater deflater = deflate ? new Deflater(1 + random.nextInt(9), true) : null;
        int messages = size == Size.LONG ? 15 + random.nextInt(26) : 4 + random.nextInt(5);
        for (int i = 0; i < messages; i++) {
            if (random.nextInt(5) == 0) {
                ping(stream, expected, random, size);
            }
            boolean text = i % 2 == 0 ? random.nextInt(4) != 0 : random.nextInt(4) == 0;
            int length = payloadSize(random, size, maxPayload, i);
            byte[] payload = text ? SegmentedExchange.text(random, length).getBytes(StandardCharsets.UTF_8)
                    : binary(random, length);
            if (payload.length > maxPayload) {
                // Text can come out up to 3 bytes longer than asked.
                payload = SegmentedExchange.text(random, maxPayload - 3).getBytes(StandardCharsets.UTF_8);
            }
            // Deflating can grow a message a little; the frame must stay within the server's limit.
            boolean compressed = deflater != null && random.nextBoolean()
                    && payload.length + payload.length / 1000 + 64 <= maxPayload;
            byte[] body = compressed ? BadInput.deflate(deflater, payload) : payload;
            if (compressed && resetDeflater) {
                deflater.reset();
            }
            // The first message of each conversation is fragmented, with a ping between each fragment.
            int fragments = i == 0 ? 2 + random.nextInt(3) : random.nextInt(3) == 0 ? 2 + random.nextInt(4) : 1;
            int[] cuts = cuts(random, body.length, fragments);
            for (int f = 0; f < fragments; f++) {
                boolean last = f == fragments - 1;
                stream.writeBytes(WsTestClient.frame(last, f == 0 && compressed ? RSV1 : 0,
                        f == 0 ? (text ? TEXT : BINARY) : 0, Arrays.copyOfRange(body, cuts[f], cuts[f + 1]),
                        random.nextInt(), true));
                if (!last && (i == 0 || random.nextBoolean())) {
                    ping(stream, expected, random, size);
                }
            }
            expected.add(new Expected(text ? TEXT : BINARY, payload));
        }
        stream.writeBytes(WsTestClient.frame(true, 0, CLOSE, WsTestClient.closePayload(1000, "done"),
                random.nextInt(), true));
        return new Conversation(stream.toByteArray(), expected);
    }

    /** A ping of up to 125 bytes, or 8 in short conversations, whose pong is due next. */
    private static void ping(ByteArrayOutputStream stream, List<Expected> expected, Random random, Size size) {
        byte[] payload = new byte[random.nextInt(size == Size.LONG ? 126 : 9)];
        random.nextBytes(payload);
        stream.writeBytes(WsTestClient.frame(true, 0, PING, payload, random.nextInt(), true));
        expected.add(new Expected(PONG, payload));
    }

    /** {@code fragments + 1} ascending offsets from 0 to {@code length}; fragments may be empty. */
    private static int[] cuts(Random random, int length, int fragments) {
        int[] cuts = new int[fragments + 1];
        for (int f = 1; f < fragments; f++) {
            cuts[f] = random.nextInt(length + 1);
        }
        cuts[fragments] = length;
        Arrays.sort(cuts, 1, fragments);
        return cuts;
    }

    /**
     * Message sizes across the length encodings: in long conversations, message 1 takes a 64-bit
     * length (when {@code maxPayload} allows), the others are mostly small, some of 125 to 127
     * bytes (the edge of the 16-bit length), some up to 3,000.
     */
    private static int payloadSize(Random random, Size size, int maxPayload, int index) {
        if (size == Size.SHORT) {
            return random.nextInt(33);
        }
        if (index == 1) {
            return Math.min(maxPayload, 65_536 + random.nextInt(2048));
        }
        int kind = random.nextInt(20);
        if (kind < 6) {
            return random.nextInt(17);
        } else if (kind < 11) {
            return random.nextInt(301);
        } else if (kind < 18) {
            return random.nextInt(3001);
        }
        return 125 + random.nextInt(3);
    }

    /** Random bytes, or a short pattern repeated (which deflates well). */
    private static byte[] binary(Random random, int length) {
        byte[] bytes = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(bytes);
        } else {
            byte[] pattern = new byte[1 + random.nextInt(12)];
            random.nextBytes(pattern);
            for (int i = 0; i < length; i++) {
                bytes[i] = pattern[i % pattern.length];
            }
        }
        return bytes;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String describe(WsTestClient.ServerFrame frame) {
        String what = "frame (fin " + frame.fin + ", rsv " + frame.rsv + ", opcode " + frame.opcode + ", "
                + frame.payload.length + " bytes)";
        return frame.opcode == CLOSE && frame.payload.length >= 2 ? what + " closing with " + closeCode(frame)
                + " '" + new String(frame.payload, 2, frame.payload.length - 2, StandardCharsets.UTF_8) + "'" : what;
    }

    static int closeCode(WsTestClient.ServerFrame close) {
        return ((close.payload[0] & 0xFF) << 8) | (close.payload[1] & 0xFF);
    }

    /**
     * Reads the server's frames as messages and pongs: joins fragments, inflates compressed
     * messages, skips the server's own keep-alive pings and fails on anything malformed (a
     * masked frame among them, which {@link WsTestClient#readFrame()} refuses).
     */
    private static final class Reader {
        private final WsTestClient client;
        private final boolean deflate;
        private final String label;
        private final Inflater inflater = new Inflater(true);
        private ByteArrayOutputStream partial;
        private int partialOpcode;
        private boolean partialCompressed;
        /** Compressed messages received. */
        int compressed;

        Reader(WsTestClient client, boolean deflate, String label) {
            this.client = client;
            this.deflate = deflate;
            this.label = label;
        }

        WsTestClient.ServerFrame frame() throws IOException {
            return client.readFrame();
        }

        Expected next() throws Exception {
            while (true) {
                WsTestClient.ServerFrame frame = client.readFrame();
                if (frame.opcode >= CLOSE) {
                    check(frame.fin && frame.rsv == 0 && frame.payload.length <= 125, label,
                            "a malformed control " + describe(frame));
                    if (frame.opcode == PING) {
                        continue;
                    }
                    check(frame.opcode == PONG, label, "a " + describe(frame) + " where a reply was due");
                    return new Expected(PONG, frame.payload);
                }
                if (frame.opcode == 0) {
                    check(partial != null && frame.rsv == 0, label, "an unexpected continuation " + describe(frame));
                } else {
                    check(partial == null && (frame.opcode == TEXT || frame.opcode == BINARY), label,
                            "an unexpected " + describe(frame));
                    check(frame.rsv == 0 || (deflate && frame.rsv == RSV1), label, "RSV bits on " + describe(frame));
                    partial = new ByteArrayOutputStream();
                    partialOpcode = frame.opcode;
                    partialCompressed = frame.rsv == RSV1;
                }
                partial.writeBytes(frame.payload);
                if (frame.fin) {
                    byte[] payload = partial.toByteArray();
                    partial = null;
                    if (partialCompressed) {
                        compressed++;
                    }
                    return new Expected(partialOpcode,
                            partialCompressed ? WebSocketServerTest.inflate(inflater, payload) : payload);
                }
            }
        }
    }
}
