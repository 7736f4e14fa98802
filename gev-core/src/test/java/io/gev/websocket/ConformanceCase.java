package io.gev.websocket;

import io.gev.embedded.Segmentation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.Deflater;

/**
 * One conformance case: what the client sends after the upgrade (a {@link Script}), what the
 * server must answer, and where it must close — after the client's close frame, or at the very
 * byte that makes the input invalid. Cases are data; {@link ConformanceTest} runs them.
 */
final class ConformanceCase {

    /** The categories of the report, after the Autobahn TestSuite's sections. */
    enum Section {
        FRAMING("1", "Framing", "text and binary messages at every length-encoding boundary (0-65536 bytes), "
                + "non-minimal lengths, unmasked frames, 64-bit lengths with the top bit set"),
        PINGS("2", "Pings and pongs", "a pong per ping with the payload echoed, in order; unsolicited pongs ignored; "
                + "control frames over 125 bytes refused; pings between fragments answered before the message"),
        RESERVED_BITS("3", "Reserved bits", "RSV1, RSV2, RSV3 each on text, binary, continuation, ping, pong and "
                + "close frames, with and without permessage-deflate: refused at the frame's first byte unless "
                + "RSV1 starts a compressed message"),
        OPCODES("4", "Opcodes", "every reserved opcode (0x3-0x7, 0xB-0xF), alone, after a message and inside a "
                + "fragmented one: refused at the frame's first byte, nothing after it answered"),
        FRAGMENTATION("5", "Fragmentation", "fragmented messages with control frames between fragments; "
                + "continuations without a message, data frames inside one, fragmented control frames"),
        UTF8("6", "UTF-8 handling", "every sequence of Markus Kuhn's UTF-8 decoder test in one frame and one byte "
                + "per frame; invalid text fails with 1007 at the first byte that cannot continue valid UTF-8, "
                + "inside a frame as its bytes arrive"),
        CLOSE("7", "Close handling", "client and server initiated close handshakes, close codes (valid ones "
                + "echoed, invalid ones 1002), reasons (123 bytes, 124 bytes, invalid UTF-8), anything after a close"),
        LIMITS("9", "Limits and performance", "messages up to the 16 MiB default limit, whole, fragmented and in "
                + "chops, 1000-message runs; frames and messages below, at and above maxFrameSize/maxMessageSize"),
        AUTO_FRAGMENTATION("10", "Auto-fragmentation", "a 64 KiB message in 1300-byte frames"),
        DEFLATE_PAYLOADS("12", "permessage-deflate: payloads", "five kinds of data (text, JSON, HTML, bitmap, "
                + "incompressible) in 18 sizes with and without client fragmentation, echoed and decompressed "
                + "by an inflater that enforces the negotiated window and context rules"),
        DEFLATE_OFFERS("13", "permessage-deflate: offers", "the suite's offer combinations and every offer "
                + "parameter: server_no_context_takeover, client_no_context_takeover, server_max_window_bits 8-15, "
                + "client_max_window_bits with and without value, invalid and duplicate parameters (declined), "
                + "responses checked against the offer");

        final String number;
        final String title;
        final String checks;

        Section(String number, String title, String checks) {
            this.number = number;
            this.title = title;
            this.checks = checks;
        }
    }

    /** How the client's bytes are cut into the segments the server reads. */
    static final class Delivery {
        final String name;
        final Function<Script, Segmentation> cuts;
        /** The client reads slowly: each of the server's writes takes a random part, sometimes nothing. */
        final boolean slowReader;
        /** The socket reports readiness level-triggered (as the JDK selector and TLS do), not edge-triggered. */
        final boolean levelTriggered;

        Delivery(String name, Function<Script, Segmentation> cuts) {
            this(name, cuts, false, false);
        }

        Delivery(String name, Function<Script, Segmentation> cuts, boolean slowReader, boolean levelTriggered) {
            this.name = name;
            this.cuts = cuts;
            this.slowReader = slowReader;
            this.levelTriggered = levelTriggered;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final Section section;
    final String id;
    final String title;
    WebSocketOptions options = ConformanceCases.DEFAULTS;
    /** The Sec-WebSocket-Extensions offered, or null. */
    String offer;
    /** Whether the server must accept the offer (it must decline it otherwise). */
    boolean accept;
    Consumer<Script> script;
    final List<Delivery> extraDeliveries = new ArrayList<>();

    ConformanceCase(Section section, String id, String title) {
        this.section = section;
        this.id = id;
        this.title = title;
    }

    ConformanceCase options(WebSocketOptions options) {
        this.options = options;
        return this;
    }

    ConformanceCase offer(String offer, boolean accept) {
        this.offer = offer;
        this.accept = accept;
        return this;
    }

    ConformanceCase script(Consumer<Script> script) {
        this.script = script;
        return this;
    }

    ConformanceCase delivery(String name, Function<Script, Segmentation> cuts) {
        extraDeliveries.add(new Delivery(name, cuts));
        return this;
    }

    @Override
    public String toString() {
        return id + " " + title;
    }

    /**
     * The client's side of a case: its frames (masked with seeded random keys), and what the
     * server must send back and where it must close. Expectations added after the server must
     * have closed (or begun closing) are dropped: what follows a close or an error goes unanswered.
     */
    static final class Script {
        final WsWire.Deflate deflate;
        private final Random random;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<WsWire.Event> expected = new ArrayList<>();
        /** [start, end) of every frame, for deliveries that cut at frame boundaries. */
        final List<int[]> frames = new ArrayList<>();
        private Deflater deflater;
        private boolean silent;
        /** The connection must close in the segment that delivers a byte in [closeFrom, closeTo]. */
        int closeFrom = -1;
        int closeTo = -1;
        /** The close code the server's own close frame must carry. */
        int failCode;
        /** What the handler's onClose must report. */
        int handlerCode;

        Script(WsWire.Deflate deflate, Random random) {
            this.deflate = deflate;
            this.random = random;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        int length() {
            return out.size();
        }

        boolean closing() {
            return closeTo >= 0 || silent;
        }

        /** Writes a masked frame. */
        Script frame(boolean fin, int rsv, int opcode, byte[] payload) {
            return frame(fin, rsv, opcode, payload, true);
        }

        Script frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
            int start = out.size();
            out.writeBytes(WsTestClient.frame(fin, rsv, opcode, payload, random.nextInt(), masked));
            frames.add(new int[]{start, out.size()});
            return this;
        }

        /** Writes bytes as they are (a header with an odd length field, say). */
        Script raw(byte[] bytes) {
            int start = out.size();
            out.writeBytes(bytes);
            frames.add(new int[]{start, out.size()});
            return this;
        }

        Script expect(WsWire.Event event) {
            if (!closing()) {
                expected.add(event);
            }
            return this;
        }

        /** Frames written in {@code body} get no answers: the server closed its side. */
        Script unanswered(Runnable body) {
            boolean was = silent;
            silent = true;
            body.run();
            silent = was;
            return this;
        }

        // ---- messages ---------------------------------------------------------------------

        Script text(String text) {
            return message(WsWire.TEXT, text.getBytes(StandardCharsets.UTF_8));
        }

        /** A text message for the handler to act on (see ConformanceTest.Handler), not echoed. */
        Script command(String text) {
            return frame(true, 0, WsWire.TEXT, text.getBytes(StandardCharsets.UTF_8));
        }

        Script binary(byte[] payload) {
            return message(WsWire.BINARY, payload);
        }

        /** An unfragmented message; text that is not valid UTF-8 must fail at its first bad byte. */
        Script message(int opcode, byte[] payload) {
            return fragmented(opcode, payload);
        }

        /** A message in one frame per part (continuations after the first). */
        Script fragmented(int opcode, byte[]... parts) {
            List<int[]> payloadAt = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < parts.length; i++) {
                frame(i == parts.length - 1, 0, i == 0 ? opcode : 0, parts[i]);
                int[] f = frames.get(frames.size() - 1);
                payloadAt.add(new int[]{f[1] - parts[i].length, parts[i].length});
                total += parts[i].length;
            }
            byte[] whole = new byte[total];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, whole, at, p.length);
                at += p.length;
            }
            int bad = opcode == WsWire.TEXT ? WsWire.firstInvalid(whole) : -1;
            if (bad < 0) {
                return expect(new WsWire.Event(opcode, whole));
            }
            if (bad == whole.length) {
                // A sequence cut by the end of the message: known invalid once the last frame is in.
                int end = frames.get(frames.size() - 1)[1];
                return fail(CloseStatus.INVALID_PAYLOAD, end);
            }
            // The stream offset of message byte `bad`: the server must fail once it arrived.
            int skip = bad;
            for (int[] p : payloadAt) {
                if (skip < p[1]) {
                    return fail(CloseStatus.INVALID_PAYLOAD, p[0] + skip + 1);
                }
                skip -= p[1];
            }
            throw new AssertionError("unreachable");
        }

        /**
         * A message compressed as a client does (deflated with a sync flush, tail cut), in frames
         * of at most {@code fragmentSize} compressed bytes (0: one frame).
         */
        Script compressed(int opcode, byte[] payload, int fragmentSize) {
            byte[] wire = deflate(payload);
            List<byte[]> parts = new ArrayList<>();
            if (fragmentSize <= 0 || wire.length <= fragmentSize) {
                parts.add(wire);
            } else {
                for (int i = 0; i < wire.length; i += fragmentSize) {
                    parts.add(Arrays.copyOfRange(wire, i, Math.min(wire.length, i + fragmentSize)));
                }
            }
            int start = length();
            for (int i = 0; i < parts.size(); i++) {
                frame(i == parts.size() - 1, i == 0 ? 4 : 0, i == 0 ? opcode : 0, parts.get(i));
            }
            if (opcode == WsWire.TEXT && !WsWire.isValidUtf8(payload)) {
                // Where inflating reveals the bad byte depends on zlib's output granularity.
                return failBetween(CloseStatus.INVALID_PAYLOAD, start + 1, length());
            }
            return expect(new WsWire.Event(opcode, payload));
        }

        /** The client's permessage-deflate payload of {@code data}, honouring what was negotiated. */
        byte[] deflate(byte[] data) {
            if (deflate == null) {
                throw new IllegalStateException("permessage-deflate was not negotiated");
            }
            if (deflater == null) {
                deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                if (deflate.clientMaxWindowBits < 15) {
                    // java.util.zip always uses a 32 KiB window; without back-references any window fits.
                    deflater.setStrategy(Deflater.HUFFMAN_ONLY);
                    // A new strategy takes a deflate call of its own, which consumes no input.
                    deflater.deflate(new byte[16]);
                }
            }
            byte[] wire = BadInput.deflate(deflater, data);
            if (deflate.clientNoContextTakeover) {
                deflater.reset();
            }
            return wire;
        }

        Script ping(byte[] payload) {
            frame(true, 0, WsWire.PING, payload);
            return expect(WsWire.Event.pong(payload));
        }

        Script ping(String payload) {
            return ping(payload.getBytes(StandardCharsets.UTF_8));
        }

        /** An unsolicited pong: the server ignores it. */
        Script pong(byte[] payload) {
            return frame(true, 0, WsWire.PONG, payload);
        }

        /** The client's close; the server echoes the code and closes once that is written. */
        Script close(int code, String reason) {
            frame(true, 0, WsWire.CLOSE, WsTestClient.closePayload(code, reason));
            return closed(code);
        }

        /** An empty close frame, answered with an empty one. */
        Script closeEmpty() {
            frame(true, 0, WsWire.CLOSE, new byte[0]);
            return closed(CloseStatus.NO_STATUS_RECEIVED);
        }

        private Script closed(int code) {
            if (closeTo >= 0) {
                return this; // a close after the end is not read
            }
            if (silent) {
                // The server began the handshake: the client's close completes it, unanswered.
                closeFrom = closeTo = length();
                return this;
            }
            expected.add(WsWire.Event.close(code));
            handlerCode = code;
            closeFrom = closeTo = length();
            return this;
        }

        /** The server must fail with {@code code} once the first {@code atByte} bytes arrived, not before. */
        Script fail(int code, int atByte) {
            return failBetween(code, atByte, atByte);
        }

        /** The server must fail with {@code code} when a byte in [from, to] (1-based counts) arrives. */
        Script failBetween(int code, int from, int to) {
            if (closeTo >= 0) {
                return this;
            }
            expected.add(WsWire.Event.close(code));
            failCode = code;
            handlerCode = code;
            closeFrom = from;
            closeTo = to;
            return this;
        }

        /**
         * A protocol error after the server sent its close: it closes the connection once the
         * first {@code atByte} bytes arrived, without a second close frame.
         */
        Script failWithoutClose(int atByte) {
            if (closeTo >= 0) {
                return this;
            }
            failCode = -1;
            closeFrom = closeTo = atByte;
            return this;
        }

        /** Fails at byte {@code k} (1-based) of the frame written last. */
        Script failAtFrameByte(int code, int k) {
            return fail(code, frames.get(frames.size() - 1)[0] + k);
        }

        /** Fails once the frame written last is complete. */
        Script failAtFrameEnd(int code) {
            return fail(code, frames.get(frames.size() - 1)[1]);
        }

        /** The server sent its own close (a handler closed the session): later frames go unanswered. */
        Script serverCloses(int code) {
            expect(WsWire.Event.close(code));
            handlerCode = code;
            silent = true;
            return this;
        }
    }
}
