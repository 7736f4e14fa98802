package io.gev.websocket;

import io.gev.embedded.Segmentation;
import io.gev.websocket.ConformanceCase.Script;
import io.gev.websocket.ConformanceCase.Section;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static io.gev.websocket.WsWire.BINARY;
import static io.gev.websocket.WsWire.CLOSE;
import static io.gev.websocket.WsWire.PING;
import static io.gev.websocket.WsWire.PONG;
import static io.gev.websocket.WsWire.TEXT;

/**
 * The conformance cases, section by section. Where a case mirrors one of the Autobahn TestSuite's
 * it carries the suite's number (its payloads, fragmentations and chops are the suite's); cases
 * gev adds carry a {@code g} number. Every case expects the strict behaviour.
 */
final class ConformanceCases {

    static final WebSocketOptions DEFAULTS = WebSocketOptions.defaults();
    static final WebSocketOptions DEFLATE = WebSocketOptions.builder().compression(true).build();
    /** The small limits of the limit cases. */
    static final int MAX_FRAME = 1000;
    static final int MAX_MESSAGE = 2000;
    static final WebSocketOptions LIMITED = WebSocketOptions.builder().maxFrameSize(MAX_FRAME)
            .maxMessageSize(MAX_MESSAGE).compression(true).build();
    /** The suite's default offer (autobahn's PerMessageDeflateOffer()). */
    static final String SUITE_OFFER = "permessage-deflate; client_no_context_takeover; client_max_window_bits";

    private static final int MASK = 0x1F2E3D4C;

    private final List<ConformanceCase> cases = new ArrayList<>();

    private ConformanceCases() {
    }

    static List<ConformanceCase> all() {
        ConformanceCases c = new ConformanceCases();
        c.framing();
        c.pings();
        c.reservedBits();
        c.opcodes();
        c.fragmentation();
        c.utf8();
        c.close();
        c.limits();
        c.autoFragmentation();
        c.deflatePayloads();
        c.deflateOffers();
        return c.cases;
    }

    private ConformanceCase add(Section section, String id, String title, Consumer<Script> script) {
        ConformanceCase c = new ConformanceCase(section, id, title).script(script);
        cases.add(c);
        return c;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** {@code unit} repeated to exactly {@code length} bytes. */
    static byte[] repeat(String unit, int length) {
        byte[] u = utf8(unit);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = u[i % u.length];
        }
        return out;
    }

    static byte[] fill(int value, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A masked frame with a length field as given (to write non-minimal encodings). */
    static byte[] frameWithLengthField(int b0, int len7, byte[] lengthField, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(2 + lengthField.length + 4 + payload.length);
        b.put((byte) b0).put((byte) (0x80 | len7)).put(lengthField).putInt(MASK);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ (MASK >>> (24 - 8 * (i & 3)))));
        }
        return b.array();
    }

    /** Cuts at every frame's start, as the suite sends each frame on its own. */
    static Segmentation frameByFrame(Script s) {
        return Segmentation.at(s.frames.stream().mapToInt(f -> f[0]).filter(o -> o > 0).toArray());
    }

    // ---- 1 framing ------------------------------------------------------------------------------

    private void framing() {
        int[] lengths = {0, 125, 126, 127, 128, 65535, 65536};
        for (int i = 0; i < lengths.length; i++) {
            int n = lengths[i];
            add(Section.FRAMING, "1.1." + (i + 1), "text message of " + n + " bytes",
                    s -> s.message(TEXT, repeat("*", n)).close(1000, ""));
            add(Section.FRAMING, "1.2." + (i + 1), "binary message of " + n + " bytes",
                    s -> s.message(BINARY, fill(0xFE, n)).close(1000, ""));
        }
        add(Section.FRAMING, "1.1.8", "text message of 65536 bytes in chops of 997",
                s -> s.message(TEXT, repeat("*", 65536)).close(1000, ""))
                .delivery("chops of 997", s -> Segmentation.fixed(997));
        add(Section.FRAMING, "1.2.8", "binary message of 65536 bytes in chops of 997",
                s -> s.message(BINARY, fill(0xFE, 65536)).close(1000, ""))
                .delivery("chops of 997", s -> Segmentation.fixed(997));
        add(Section.FRAMING, "1.g1", "125 bytes with a 16-bit length: not minimal, 1002 at the length's end",
                s -> s.raw(frameWithLengthField(0x81, 126, new byte[]{0, 125}, repeat("*", 125)))
                        .failAtFrameByte(1002, 4));
        add(Section.FRAMING, "1.g2", "125 bytes with a 64-bit length: not minimal",
                s -> s.raw(frameWithLengthField(0x82, 127, ByteBuffer.allocate(8).putLong(125).array(), fill(1, 125)))
                        .failAtFrameByte(1002, 10));
        add(Section.FRAMING, "1.g3", "65535 bytes with a 64-bit length: not minimal",
                s -> s.raw(frameWithLengthField(0x82, 127, ByteBuffer.allocate(8).putLong(65535).array(), fill(1, 65535)))
                        .failAtFrameByte(1002, 10));
        add(Section.FRAMING, "1.g4", "unmasked text frame: 1002 at its second byte",
                s -> s.frame(true, 0, TEXT, utf8("Hello"), false).failAtFrameByte(1002, 2));
        add(Section.FRAMING, "1.g5", "unmasked ping", s -> s.frame(true, 0, PING, utf8("ping"), false)
                .failAtFrameByte(1002, 2));
        add(Section.FRAMING, "1.g6", "unmasked close", s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(1000, ""), false)
                .failAtFrameByte(1002, 2));
        add(Section.FRAMING, "1.g7", "unmasked frame after a valid message", s -> s.text("valid")
                .frame(true, 0, BINARY, fill(7, 300), false).failAtFrameByte(1002, 2));
        add(Section.FRAMING, "1.g8", "64-bit length with the most significant bit set: 1002 at its first length byte",
                s -> s.raw(hex("82ff8000000000000005" + "37fa213d" + "0102030405")).failAtFrameByte(1002, 3));
        add(Section.FRAMING, "1.g9", "64-bit length of 2^40 bytes: 1009 at the length's end",
                s -> s.raw(hex("82ff0000010000000000" + "37fa213d")).failAtFrameByte(1009, 10));
        add(Section.FRAMING, "1.g10", "300 coalesced messages of random sizes (0-70000 bytes) and types", s -> {
            Random r = new Random(110);
            for (int i = 0; i < 300; i++) {
                int n = r.nextInt(20) == 0 ? r.nextInt(70_000) : r.nextInt(300);
                if (r.nextBoolean()) {
                    s.text(("caf\u00e9 \u6f22\u5b57 \uD83D\uDE00 " + i).repeat(n / 20));
                } else {
                    byte[] b = new byte[n];
                    r.nextBytes(b);
                    s.message(BINARY, b);
                }
            }
            s.close(1000, "");
        });
    }

    // ---- 2 pings and pongs ----------------------------------------------------------------------

    private void pings() {
        add(Section.PINGS, "2.1", "ping without payload", s -> s.ping(new byte[0]).close(1000, ""));
        add(Section.PINGS, "2.2", "ping with a small text payload", s -> s.ping("Hello, world!").close(1000, ""));
        add(Section.PINGS, "2.3", "ping with a small binary payload", s -> s.ping(hex("00fffefdfcfb00ff")).close(1000, ""));
        add(Section.PINGS, "2.4", "ping with a 125-byte payload", s -> s.ping(fill(0xFE, 125)).close(1000, ""));
        add(Section.PINGS, "2.5", "ping with a 126-byte payload: 1002 at its second byte",
                s -> s.frame(true, 0, PING, fill(0xFE, 126)).failAtFrameByte(1002, 2));
        add(Section.PINGS, "2.6", "ping with a 125-byte payload, in 1-byte chops (the byte-by-byte delivery)",
                s -> s.ping(fill(0xFE, 125)).close(1000, ""));
        add(Section.PINGS, "2.7", "unsolicited pong without payload: ignored", s -> s.pong(new byte[0]).close(1000, ""));
        add(Section.PINGS, "2.8", "unsolicited pong with payload: ignored",
                s -> s.pong(utf8("unsolicited pong payload")).close(1000, ""));
        add(Section.PINGS, "2.9", "unsolicited pong, then a ping: one pong for the ping",
                s -> s.pong(utf8("unsolicited pong payload")).ping("ping payload").close(1000, ""));
        add(Section.PINGS, "2.10", "10 pings: 10 pongs in order", s -> {
            for (int i = 0; i < 10; i++) {
                s.ping("payload-" + i);
            }
            s.close(1000, "");
        });
        add(Section.PINGS, "2.11", "10 pings in 1-byte chops", s -> {
            for (int i = 0; i < 10; i++) {
                s.ping("payload-" + i);
            }
            s.close(1000, "");
        });
        add(Section.PINGS, "2.g1", "pong with a 126-byte payload: 1002 at its second byte",
                s -> s.frame(true, 0, PONG, fill(1, 126)).failAtFrameByte(1002, 2));
        add(Section.PINGS, "2.g2", "close with a 126-byte payload: 1002 at its second byte",
                s -> s.frame(true, 0, CLOSE, concat(WsTestClient.closePayload(1000, ""), fill('a', 124)))
                        .failAtFrameByte(1002, 2));
        add(Section.PINGS, "2.g3", "ping with a 16-bit length of 125: over 125 in the header, 1002 at its second byte",
                s -> s.raw(frameWithLengthField(0x89, 126, new byte[]{0, 125}, fill(1, 125))).failAtFrameByte(1002, 2));
        add(Section.PINGS, "2.g4", "pings between every fragment: each pong before the message", s -> {
            s.frame(false, 0, TEXT, utf8("frag1 ")).ping("p1")
                    .frame(false, 0, 0, utf8("frag2 ")).ping("p2").pong(utf8("ignored"))
                    .frame(true, 0, 0, utf8("frag3")).expect(WsWire.Event.text(utf8("frag1 frag2 frag3")))
                    .close(1000, "");
        });
        add(Section.PINGS, "2.g5", "100 pings with random payloads of 0-125 bytes", s -> {
            Random r = new Random(25);
            for (int i = 0; i < 100; i++) {
                byte[] p = new byte[r.nextInt(126)];
                r.nextBytes(p);
                s.ping(p);
            }
            s.close(1000, "");
        });
        add(Section.PINGS, "2.g6", "ping between the fragments of a 200 KiB message streamed through", s -> {
            s.frame(false, 0, BINARY, fill(3, 100_000)).ping("mid")
                    .frame(true, 0, 0, fill(4, 100_000)).expect(WsWire.Event.binary(concat(fill(3, 100_000), fill(4, 100_000))))
                    .close(1000, "");
        });
    }

    // ---- 3 reserved bits ------------------------------------------------------------------------

    private void reservedBits() {
        add(Section.RESERVED_BITS, "3.1", "text with RSV = 1 (RSV3): 1002 at its first byte",
                s -> s.frame(true, 1, TEXT, utf8("Hello, world!")).failAtFrameByte(1002, 1));
        add(Section.RESERVED_BITS, "3.2", "valid text, then text with RSV = 2, then a ping",
                s -> s.text("Hello, world!").frame(true, 2, TEXT, utf8("Hello, world!")).failAtFrameByte(1002, 1)
                        .ping("unanswered"));
        add(Section.RESERVED_BITS, "3.3", "valid text, then text with RSV = 3, then a ping, byte by byte",
                s -> s.text("Hello, world!").frame(true, 3, TEXT, utf8("Hello, world!")).failAtFrameByte(1002, 1)
                        .ping("unanswered"));
        add(Section.RESERVED_BITS, "3.4", "valid text, then text with RSV = 4 (RSV1, no extension), then a ping, in frame chops",
                s -> s.text("Hello, world!").frame(true, 4, TEXT, utf8("Hello, world!")).failAtFrameByte(1002, 1)
                        .ping("unanswered"))
                .delivery("frame by frame", ConformanceCases::frameByFrame);
        add(Section.RESERVED_BITS, "3.5", "binary with RSV = 5",
                s -> s.frame(true, 5, BINARY, hex("0001020304050607")).failAtFrameByte(1002, 1));
        add(Section.RESERVED_BITS, "3.6", "ping with RSV = 6",
                s -> s.frame(true, 6, PING, utf8("Hello, world!")).failAtFrameByte(1002, 1));
        add(Section.RESERVED_BITS, "3.7", "close with RSV = 7",
                s -> s.frame(true, 7, CLOSE, WsTestClient.closePayload(1000, "")).failAtFrameByte(1002, 1));
        int n = 1;
        String[] bitNames = {"RSV1", "RSV2", "RSV3"};
        int[] bits = {4, 2, 1};
        String[] kinds = {"text", "binary", "continuation", "ping", "pong", "close"};
        for (boolean deflate : new boolean[]{false, true}) {
            for (int b = 0; b < 3; b++) {
                for (String kind : kinds) {
                    int rsv = bits[b];
                    boolean valid = deflate && rsv == 4 && (kind.equals("text") || kind.equals("binary"));
                    String title = bitNames[b] + " on a " + kind + " frame, permessage-deflate "
                            + (deflate ? "negotiated" : "not negotiated")
                            + (valid ? ": a compressed message, echoed" : ": 1002 at its first byte");
                    ConformanceCase c = add(Section.RESERVED_BITS, "3.g" + n++, title, s -> {
                        s.text("before");
                        switch (kind) {
                            case "text", "binary" -> {
                                int op = kind.equals("text") ? TEXT : BINARY;
                                if (valid) {
                                    s.compressed(op, utf8("compressed " + kind), 0);
                                } else {
                                    s.frame(true, rsv, op, utf8("Hello")).failAtFrameByte(1002, 1);
                                }
                            }
                            case "continuation" -> s.frame(false, 0, TEXT, utf8("frag"))
                                    .frame(true, rsv, 0, utf8("ment")).failAtFrameByte(1002, 1);
                            case "ping" -> s.frame(true, rsv, PING, utf8("ping")).failAtFrameByte(1002, 1);
                            case "pong" -> s.frame(true, rsv, PONG, utf8("pong")).failAtFrameByte(1002, 1);
                            default -> s.frame(true, rsv, CLOSE, WsTestClient.closePayload(1000, "")).failAtFrameByte(1002, 1);
                        }
                        s.close(1000, "");
                    });
                    if (deflate) {
                        c.options(DEFLATE).offer("permessage-deflate", true);
                    }
                }
            }
        }
        add(Section.RESERVED_BITS, "3.g" + n++, "RSV1 on the continuation of a compressed message", s -> {
            byte[] wire = s.deflate(utf8("a compressed message in two frames"));
            s.frame(false, 4, TEXT, Arrays.copyOf(wire, 4)).frame(true, 4, 0, Arrays.copyOfRange(wire, 4, wire.length))
                    .failAtFrameByte(1002, 1);
        }).options(DEFLATE).offer("permessage-deflate", true);
        add(Section.RESERVED_BITS, "3.g" + n, "a compressed message in two frames, RSV1 on the first only: echoed", s -> {
            byte[] wire = s.deflate(utf8("a compressed message in two frames"));
            s.frame(false, 4, TEXT, Arrays.copyOf(wire, 4)).frame(true, 0, 0, Arrays.copyOfRange(wire, 4, wire.length))
                    .expect(WsWire.Event.text(utf8("a compressed message in two frames"))).close(1000, "");
        }).options(DEFLATE).offer("permessage-deflate", true);
    }

    // ---- 4 opcodes ------------------------------------------------------------------------------

    private void opcodes() {
        int[][] suite = {{3, 0}, {4, 1}, {5, 2}, {6, 3}, {7, 3}};
        for (int group = 0; group < 2; group++) {
            for (int i = 0; i < 5; i++) {
                int op = suite[i][0] + group * 8;
                int variant = suite[i][1];
                String id = "4." + (group + 1) + "." + (i + 1);
                String title = switch (variant) {
                    case 0 -> "reserved opcode " + op + " without payload";
                    case 1 -> "reserved opcode " + op + " with payload";
                    case 2 -> "valid text, reserved opcode " + op + ", ping";
                    default -> "valid text, reserved opcode " + op + " with payload, ping";
                };
                add(Section.OPCODES, id, title, s -> {
                    if (variant >= 2) {
                        s.text("Hello, world!");
                    }
                    s.frame(true, 0, op, variant == 0 || variant == 2 ? new byte[0] : utf8("reserved opcode payload"))
                            .failAtFrameByte(1002, 1);
                    s.ping("unanswered").close(1000, "");
                });
            }
        }
        int n = 1;
        for (int op : new int[]{3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            add(Section.OPCODES, "4.g" + n++, "reserved opcode " + op + " between the fragments of a text message",
                    s -> s.frame(false, 0, TEXT, utf8("frag")).frame(true, 0, op, utf8("x")).failAtFrameByte(1002, 1)
                            .frame(true, 0, 0, utf8("ment")));
            add(Section.OPCODES, "4.g" + n++, "reserved opcode " + op + " with FIN clear",
                    s -> s.frame(false, 0, op, utf8("x")).failAtFrameByte(1002, 1));
        }
    }

    // ---- 5 fragmentation ------------------------------------------------------------------------

    private void fragmentation() {
        add(Section.FRAGMENTATION, "5.1", "ping in 2 fragments: 1002 at its first byte",
                s -> s.frame(false, 0, PING, utf8("fragment1")).failAtFrameByte(1002, 1).frame(true, 0, 0, utf8("fragment2")));
        add(Section.FRAGMENTATION, "5.2", "pong in 2 fragments",
                s -> s.frame(false, 0, PONG, utf8("fragment1")).failAtFrameByte(1002, 1).frame(true, 0, 0, utf8("fragment2")));
        for (String[] v : new String[][]{{"5.3", "whole"}, {"5.4", "frame by frame"}, {"5.5", "in 1-byte chops"}}) {
            ConformanceCase c = add(Section.FRAGMENTATION, v[0], "text in 2 fragments, " + v[1],
                    s -> s.fragmented(TEXT, utf8("fragment1"), utf8("fragment2")).close(1000, ""));
            if (v[0].equals("5.4")) {
                c.delivery("frame by frame", ConformanceCases::frameByFrame);
            }
        }
        for (String[] v : new String[][]{{"5.6", "whole"}, {"5.7", "frame by frame"}, {"5.8", "in 1-byte chops"}}) {
            ConformanceCase c = add(Section.FRAGMENTATION, v[0], "text in 2 fragments with a ping between, " + v[1],
                    s -> s.frame(false, 0, TEXT, utf8("fragment1")).ping("ping payload").frame(true, 0, 0, utf8("fragment2"))
                            .expect(WsWire.Event.text(utf8("fragment1fragment2"))).close(1000, ""));
            if (v[0].equals("5.7")) {
                c.delivery("frame by frame", ConformanceCases::frameByFrame);
            }
        }
        String[] ways = {"whole", "in 1-byte chops", "frame by frame"};
        for (int i = 0; i < 3; i++) {
            ConformanceCase c = add(Section.FRAGMENTATION, "5." + (9 + i), "continuation (FIN set) without a message, "
                    + ways[i], s -> s.frame(true, 0, 0, utf8("non-continuation payload")).failAtFrameByte(1002, 1)
                    .text("Hello, world!"));
            ConformanceCase d = add(Section.FRAGMENTATION, "5." + (12 + i), "continuation (FIN clear) without a message, "
                    + ways[i], s -> s.frame(false, 0, 0, utf8("non-continuation payload")).failAtFrameByte(1002, 1)
                    .text("Hello, world!"));
            if (i == 2) {
                c.delivery("frame by frame", ConformanceCases::frameByFrame);
                d.delivery("frame by frame", ConformanceCases::frameByFrame);
            }
        }
        add(Section.FRAGMENTATION, "5.15", "text in 2 fragments, then a continuation with nothing to continue, then text",
                s -> s.fragmented(TEXT, utf8("fragment1"), utf8("fragment2"))
                        .frame(false, 0, 0, utf8("fragment3")).failAtFrameByte(1002, 1)
                        .frame(true, 0, TEXT, utf8("fragment4")));
        add(Section.FRAGMENTATION, "5.16", "twice: continuation (FIN clear), text, continuation (FIN set)", s -> {
            for (int i = 0; i < 2; i++) {
                s.frame(false, 0, 0, utf8("fragment1")).failAtFrameByte(1002, 1)
                        .frame(true, 0, TEXT, utf8("fragment2")).frame(true, 0, 0, utf8("fragment3"));
            }
        });
        add(Section.FRAGMENTATION, "5.17", "twice: continuation (FIN set), text, continuation (FIN set)", s -> {
            for (int i = 0; i < 2; i++) {
                s.frame(true, 0, 0, utf8("fragment1")).failAtFrameByte(1002, 1)
                        .frame(true, 0, TEXT, utf8("fragment2")).frame(true, 0, 0, utf8("fragment3"));
            }
        });
        add(Section.FRAGMENTATION, "5.18", "text in 2 fragments, both with the text opcode",
                s -> s.frame(false, 0, TEXT, utf8("fragment1")).frame(true, 0, TEXT, utf8("fragment2"))
                        .failAtFrameByte(1002, 1));
        for (String id : new String[]{"5.19", "5.20"}) {
            add(Section.FRAGMENTATION, id, "text in 5 fragments with 2 pings between, frame by frame", s -> {
                s.frame(false, 0, TEXT, utf8("fragment1")).frame(false, 0, 0, utf8("fragment2")).ping("pongme 1!")
                        .frame(false, 0, 0, utf8("fragment3")).frame(false, 0, 0, utf8("fragment4")).ping("pongme 2!")
                        .frame(true, 0, 0, utf8("fragment5"))
                        .expect(WsWire.Event.text(utf8("fragment1fragment2fragment3fragment4fragment5"))).close(1000, "");
            }).delivery("frame by frame", ConformanceCases::frameByFrame);
        }
        add(Section.FRAGMENTATION, "5.g1", "binary in 3 fragments",
                s -> s.fragmented(BINARY, fill(1, 10), fill(2, 200), fill(3, 70_000)).close(1000, ""));
        add(Section.FRAGMENTATION, "5.g2", "text in empty fragments around one that is not",
                s -> s.fragmented(TEXT, new byte[0], new byte[0], utf8("middle"), new byte[0]).close(1000, ""));
        add(Section.FRAGMENTATION, "5.g3", "text in 200 one-byte fragments", s -> {
            byte[] text = repeat("0123456789", 200);
            byte[][] parts = new byte[200][];
            for (int i = 0; i < 200; i++) {
                parts[i] = new byte[]{text[i]};
            }
            s.fragmented(TEXT, parts).close(1000, "");
        });
        add(Section.FRAGMENTATION, "5.g4", "close frame with FIN clear: 1002 at its first byte",
                s -> s.frame(false, 0, CLOSE, WsTestClient.closePayload(1000, "")).failAtFrameByte(1002, 1));
        add(Section.FRAGMENTATION, "5.g5", "binary frame inside a fragmented text message",
                s -> s.frame(false, 0, TEXT, utf8("frag")).frame(true, 0, BINARY, fill(1, 5)).failAtFrameByte(1002, 1));
        add(Section.FRAGMENTATION, "5.g6", "continuation after a complete message",
                s -> s.text("complete").frame(true, 0, 0, utf8("more")).failAtFrameByte(1002, 1));
        add(Section.FRAGMENTATION, "5.g7", "pongs and pings between the fragments of a 300 KiB text message", s -> {
            byte[] a = repeat("a\u00e9", 150_000);
            byte[] b = repeat("\u6f22b", 150_000);
            s.frame(false, 0, TEXT, a).pong(utf8("x")).ping("1").frame(true, 0, 0, b)
                    .expect(WsWire.Event.text(concat(a, b))).close(1000, "");
        });
    }

    // ---- 6 UTF-8 --------------------------------------------------------------------------------

    private static byte[][] bytewise(byte[] b) {
        byte[][] parts = new byte[b.length][];
        for (int i = 0; i < b.length; i++) {
            parts[i] = new byte[]{b[i]};
        }
        return parts;
    }

    private void utf8() {
        add(Section.UTF8, "6.1.1", "empty text message", s -> s.text("").close(1000, ""));
        add(Section.UTF8, "6.1.2", "empty text in 3 empty fragments",
                s -> s.fragmented(TEXT, new byte[0], new byte[0], new byte[0]).close(1000, ""));
        add(Section.UTF8, "6.1.3", "text in fragments: empty, \"middle\", empty",
                s -> s.fragmented(TEXT, new byte[0], utf8("middle"), new byte[0]).close(1000, ""));
        String hello = "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!";
        add(Section.UTF8, "6.2.1", "valid multi-byte text in one frame", s -> s.text(hello).close(1000, ""));
        add(Section.UTF8, "6.2.2", "valid multi-byte text fragmented on a code point",
                s -> s.fragmented(TEXT, utf8("Hello-\u00b5@\u00df\u00f6\u00e4\u00fc"), utf8("\u00e0\u00e1-UTF-8!!")).close(1000, ""));
        add(Section.UTF8, "6.2.3", "valid multi-byte text, one byte per frame",
                s -> s.fragmented(TEXT, bytewise(utf8(hello))).close(1000, ""));
        byte[] kosme = hex("cebae1bdb9cf83cebcceb5");
        add(Section.UTF8, "6.2.4", "valid \"\u03ba\u1f79\u03c3\u03bc\u03b5\", one byte per frame",
                s -> s.fragmented(TEXT, bytewise(kosme)).close(1000, ""));
        byte[] edited = hex("cebae1bdb9cf83cebcceb5eda080656469746564");
        add(Section.UTF8, "6.3.1", "invalid text (a surrogate) in one frame: 1007 at its first bad byte",
                s -> s.message(TEXT, edited));
        add(Section.UTF8, "6.3.2", "invalid text, one byte per frame", s -> s.fragmented(TEXT, bytewise(edited)));
        byte[] p1 = hex("cebae1bdb9cf83cebcceb5");
        byte[] p2 = hex("f4908080");
        byte[] p3 = hex("656469746564");
        byte[] payload = concat(p1, p2, p3);
        add(Section.UTF8, "6.4.1", "invalid text in 3 frames, the 2nd makes it invalid: fail at that frame, frame by frame",
                s -> s.fragmented(TEXT, p1, p2, p3)).delivery("frame by frame", ConformanceCases::frameByFrame);
        add(Section.UTF8, "6.4.2", "as 6.4.1, the 2nd frame only the byte that makes it invalid",
                s -> s.fragmented(TEXT, Arrays.copyOf(payload, 12), new byte[]{payload[12]}, Arrays.copyOfRange(payload, 13, payload.length)))
                .delivery("frame by frame", ConformanceCases::frameByFrame);
        add(Section.UTF8, "6.4.3", "invalid text in ONE frame sent in 3 chops: fail with the 2nd chop, before the frame completes",
                s -> s.message(TEXT, payload))
                .delivery("the suite's 3 chops", s -> {
                    int start = s.frames.get(0)[1] - payload.length;
                    return Segmentation.at(start + p1.length, start + p1.length + p2.length);
                });
        add(Section.UTF8, "6.4.4", "as 6.4.3, the 2nd chop only the byte that makes it invalid",
                s -> s.message(TEXT, payload))
                .delivery("the suite's 3 chops", s -> {
                    int start = s.frames.get(0)[1] - payload.length;
                    return Segmentation.at(start + 12, start + 13);
                });
        int category = 5;
        for (Object[] group : Utf8Sequences.GROUPS) {
            String name = (String) group[0];
            @SuppressWarnings("unchecked")
            List<byte[]> sequences = (List<byte[]>) group[1];
            int k = 1;
            for (byte[] seq : sequences) {
                int bad = WsWire.firstInvalid(seq);
                String id = "6." + category + "." + k++;
                String outcome = bad < 0 ? "valid: echoed" : bad == seq.length ? "truncated: 1007 at its last byte"
                        : "invalid: 1007 at its byte " + (bad + 1);
                add(Section.UTF8, id, name + ": " + WsWire.hex(seq) + " (" + outcome + ")", s -> {
                    s.message(TEXT, seq);
                    s.close(1000, "");
                });
            }
            category++;
        }
        byte[] big = utf8("valid text \u00e9\u6f22 ".repeat(2353));
        add(Section.UTF8, "6.g1", "a 40000-byte text frame, invalid at byte 30000: fail there, not at the frame's end", s -> {
            byte[] bad = big.clone();
            bad[30_000] = (byte) 0xFF;
            s.message(TEXT, bad);
        }).delivery("cut before and after the bad byte", s -> {
            int start = s.frames.get(0)[1] - big.length;
            return Segmentation.at(start + 29_990, start + 30_001);
        });
        add(Section.UTF8, "6.g2", "a 65536-byte text frame (the largest that waits whole), invalid at byte 60000", s -> {
            byte[] bad = repeat("abc", 65536);
            bad[60_000] = (byte) 0xC0;
            s.message(TEXT, bad);
        });
        add(Section.UTF8, "6.g3", "a 200000-byte text frame (streamed), invalid at byte 150000", s -> {
            byte[] bad = repeat("abc", 200_000);
            bad[150_000] = (byte) 0x80;
            s.message(TEXT, bad);
        });
        add(Section.UTF8, "6.g4", "a surrogate split across two frames: fail at its second byte",
                s -> s.fragmented(TEXT, utf8("ab\u00e9"), hex("ed"), hex("a080"), utf8("never read")));
        add(Section.UTF8, "6.g5", "a 4-byte code point in 4 frames with pings between", s -> {
            byte[] emoji = utf8("\uD83D\uDE00");
            s.frame(false, 0, TEXT, new byte[]{emoji[0]}).ping("a").frame(false, 0, 0, new byte[]{emoji[1]})
                    .frame(false, 0, 0, new byte[]{emoji[2]}).ping("b").frame(true, 0, 0, new byte[]{emoji[3]})
                    .expect(WsWire.Event.text(emoji)).close(1000, "");
        });
        add(Section.UTF8, "6.g6", "valid text frames of 1-20000 bytes with random multi-byte characters", s -> {
            Random r = new Random(66);
            int[] points = {0x41, 0xE9, 0x3B1, 0x20AC, 0x6F22, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
            for (int i = 0; i < 40; i++) {
                StringBuilder sb = new StringBuilder();
                int n = 1 + r.nextInt(i % 10 == 0 ? 20_000 : 200);
                while (sb.length() < n) {
                    sb.appendCodePoint(points[r.nextInt(points.length)]);
                }
                s.text(sb.toString());
            }
            s.close(1000, "");
        });
        add(Section.UTF8, "6.g7", "a text frame cut by the end of the message (truncated 3-byte sequence): 1007 at its last byte",
                s -> s.message(TEXT, concat(repeat("x", 1000), hex("e282"))));
        add(Section.UTF8, "6.g8", "compressed text that inflates to invalid UTF-8: 1007",
                s -> s.compressed(TEXT, concat(repeat("compressible text ", 100), hex("c0af"), repeat("more ", 100)), 0))
                .options(DEFLATE).offer("permessage-deflate", true);
        add(Section.UTF8, "6.g9", "compressed text, invalid UTF-8 in its 2nd of 3 frames: fail by the 2nd frame", s -> {
            byte[] text = concat(repeat("first part ", 4400), hex("eda080"), repeat("third part ", 4400));
            // Stored (level 0), the bad bytes stay in the middle third of what is sent.
            byte[] wire = BadInput.deflate(new java.util.zip.Deflater(0, true), text);
            int third = wire.length / 3;
            s.frame(false, 4, TEXT, Arrays.copyOf(wire, third));
            int start = s.length();
            s.frame(false, 0, 0, Arrays.copyOfRange(wire, third, 2 * third));
            s.failBetween(1007, start + 1, s.length());
            s.frame(true, 0, 0, Arrays.copyOfRange(wire, 2 * third, wire.length));
        }).options(DEFLATE).offer("permessage-deflate", true);
    }

    // ---- 7 close --------------------------------------------------------------------------------

    private void close() {
        add(Section.CLOSE, "7.1.1", "text, then close: echo, then the close echoed",
                s -> s.text("Hello World!").close(1000, ""));
        add(Section.CLOSE, "7.1.2", "close twice: the second is not read", s -> s.close(1000, "").close(1000, ""));
        add(Section.CLOSE, "7.1.3", "close, then ping: no pong", s -> s.close(1000, "").ping("unanswered"));
        add(Section.CLOSE, "7.1.4", "close, then text: no echo", s -> s.close(1000, "").text("unanswered"));
        add(Section.CLOSE, "7.1.5", "text fragment, close, continuation: the message is dropped",
                s -> s.frame(false, 0, TEXT, utf8("fragment1")).close(1000, "").frame(true, 0, 0, utf8("fragment2")));
        add(Section.CLOSE, "7.1.6", "256 KiB text, text, close, ping: both echoed before the close", s -> {
            s.message(TEXT, repeat("BAsd7&jh23", 256 * 1024)).text("Hello World!").close(1000, "").ping("unanswered");
        });
        add(Section.CLOSE, "7.3.1", "close with an empty payload: answered with an empty one", Script::closeEmpty);
        add(Section.CLOSE, "7.3.2", "close with a 1-byte payload: 1002 at its second byte",
                s -> s.frame(true, 0, CLOSE, new byte[]{0x03}).failAtFrameByte(1002, 2));
        add(Section.CLOSE, "7.3.3", "close with code 1000 and no reason", s -> s.close(1000, ""));
        add(Section.CLOSE, "7.3.4", "close with code 1000 and a reason", s -> s.close(1000, "Hello World!"));
        add(Section.CLOSE, "7.3.5", "close with a 123-byte reason", s -> s.close(1000, "*".repeat(123)));
        add(Section.CLOSE, "7.3.6", "close with a 124-byte reason (a 126-byte payload): 1002 at its second byte",
                s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(1000, "*".repeat(124))).failAtFrameByte(1002, 2));
        add(Section.CLOSE, "7.5.1", "close with a reason that is not UTF-8: 1007",
                s -> s.frame(true, 0, CLOSE, concat(WsTestClient.closePayload(1000, ""), hex("cebae1bdb9cf83cebcceb5eda080656469746564")))
                        .failAtFrameEnd(1007));
        int k = 1;
        for (int code : new int[]{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
            add(Section.CLOSE, "7.7." + k++, "close with valid code " + code + ": echoed", s -> s.close(code, ""));
        }
        k = 1;
        for (int code : new int[]{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999}) {
            add(Section.CLOSE, "7.9." + k++, "close with invalid code " + code + ": 1002",
                    s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(code, "")).failAtFrameEnd(1002));
        }
        add(Section.CLOSE, "7.13.1", "close with code 5000: 1002 (the strict answer; the suite leaves it open)",
                s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(5000, "")).failAtFrameEnd(1002));
        add(Section.CLOSE, "7.13.2", "close with code 65535: 1002",
                s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(65535, "")).failAtFrameEnd(1002));
        k = 1;
        for (int code : new int[]{1012, 1013, 1014}) {
            add(Section.CLOSE, "7.g" + k++, "close with code " + code + " (IANA-registered since RFC 6455): echoed",
                    s -> s.close(code, ""));
        }
        for (int code : new int[]{1015, 1099, 2000, 2999}) {
            add(Section.CLOSE, "7.g" + k++, "close with invalid code " + code + " and a reason: 1002",
                    s -> s.frame(true, 0, CLOSE, WsTestClient.closePayload(code, "reason")).failAtFrameEnd(1002));
        }
        add(Section.CLOSE, "7.g" + k++, "close reason ending in a truncated sequence: 1007",
                s -> s.frame(true, 0, CLOSE, concat(WsTestClient.closePayload(1000, "cut "), hex("e282"))).failAtFrameEnd(1007));
        add(Section.CLOSE, "7.g" + k++, "close with a 123-byte multi-byte reason", s -> s.close(4000, "\u00e9".repeat(61) + "x"));
        add(Section.CLOSE, "7.g" + k++, "close, then garbage: not read",
                s -> s.close(1000, "").raw(hex("ffffffffffffffff")));
        add(Section.CLOSE, "7.g" + k++, "close between the fragments of a 200 KiB message",
                s -> s.frame(false, 0, BINARY, fill(1, 100_000)).close(1001, "").frame(true, 0, 0, fill(2, 100_000)));
        add(Section.CLOSE, "7.g" + k++, "server closes (session.close 4001), client answers: nothing else is sent",
                s -> s.command("!close:4001").serverCloses(4001).close(4001, ""));
        add(Section.CLOSE, "7.g" + k++, "server closes, client sends text and a ping before answering: neither answered",
                s -> s.command("!close:4002").serverCloses(4002).text("late").ping("late").close(1000, ""));
        add(Section.CLOSE, "7.g" + k++, "server closes, client answers with an empty close",
                s -> s.command("!close:4003").serverCloses(4003).closeEmpty());
        add(Section.CLOSE, "7.g" + k++, "server closes, client sends an invalid frame: no second close frame",
                s -> s.command("!close:4004").serverCloses(4004).frame(true, 0, 3, new byte[0])
                        .failWithoutClose(s.frames.get(s.frames.size() - 1)[0] + 1));
        add(Section.CLOSE, "7.g" + k++, "server closes twice (session.close twice): one close frame",
                s -> s.command("!close-twice:4005").serverCloses(4005).close(4005, ""));
        add(Section.CLOSE, "7.g" + k++, "server closes, then the handler sends text and a ping: dropped",
                s -> s.command("!close-send:4006").serverCloses(4006).close(4006, ""));
        add(Section.CLOSE, "7.g" + k, "server closes inside a fragmented message from the client",
                s -> s.command("!close:4007").serverCloses(4007).frame(false, 0, TEXT, utf8("frag"))
                        .frame(true, 0, 0, utf8("ment")).close(4007, ""));
    }

    // ---- 9 limits -------------------------------------------------------------------------------

    private void limits() {
        int[] sizes = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20};
        String[] names = {"64 KiB", "256 KiB", "1 MiB", "4 MiB", "8 MiB", "16 MiB (the default maxMessageSize)"};
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            add(Section.LIMITS, "9.1." + (i + 1), "text message of " + names[i],
                    s -> s.message(TEXT, repeat("BAsd7&jh23", n)).close(1000, ""));
            add(Section.LIMITS, "9.2." + (i + 1), "binary message of " + names[i],
                    s -> s.message(BINARY, fill(0xFE, n)).close(1000, ""));
        }
        int[] fragments = {64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20};
        for (int i = 0; i < fragments.length; i++) {
            int f = fragments[i];
            add(Section.LIMITS, "9.3." + (i + 1), "4 MiB text in frames of " + f + " bytes",
                    s -> s.fragmented(TEXT, split(repeat("*", 4 << 20), f)).close(1000, ""));
            add(Section.LIMITS, "9.4." + (i + 1), "4 MiB binary in frames of " + f + " bytes",
                    s -> s.fragmented(BINARY, split(fill(0xFE, 4 << 20), f)).close(1000, ""));
        }
        int[] chops = {64, 128, 256, 512, 1024, 2048};
        for (int i = 0; i < chops.length; i++) {
            int chop = chops[i];
            add(Section.LIMITS, "9.5." + (i + 1), "1 MiB text in chops of " + chop,
                    s -> s.message(TEXT, repeat("*", 1 << 20)).close(1000, ""))
                    .delivery("chops of " + chop, s -> Segmentation.fixed(chop));
            add(Section.LIMITS, "9.6." + (i + 1), "1 MiB binary in chops of " + chop,
                    s -> s.message(BINARY, fill(0xFE, 1 << 20)).close(1000, ""))
                    .delivery("chops of " + chop, s -> Segmentation.fixed(chop));
        }
        int[] runs = {0, 16, 64, 256, 1024, 4096};
        for (int i = 0; i < runs.length; i++) {
            int n = runs[i];
            add(Section.LIMITS, "9.7." + (i + 1), "1000 text messages of " + n + " bytes", s -> {
                for (int m = 0; m < 1000; m++) {
                    s.message(TEXT, repeat("*", n));
                }
                s.close(1000, "");
            });
            add(Section.LIMITS, "9.8." + (i + 1), "1000 binary messages of " + n + " bytes", s -> {
                for (int m = 0; m < 1000; m++) {
                    s.message(BINARY, fill(0xFE, n));
                }
                s.close(1000, "");
            });
        }
        int k = 1;
        for (int op : new int[]{TEXT, BINARY}) {
            String type = op == TEXT ? "text" : "binary";
            for (int n : new int[]{MAX_FRAME - 1, MAX_FRAME}) {
                add(Section.LIMITS, "9.g" + k++, type + " frame of " + n + " bytes, maxFrameSize " + MAX_FRAME + ": echoed",
                        s -> s.message(op, repeat("x", n)).close(1000, "")).options(LIMITED);
            }
            add(Section.LIMITS, "9.g" + k++, type + " frame of " + (MAX_FRAME + 1) + " bytes: 1009 at its length field",
                    s -> s.frame(true, 0, op, repeat("x", MAX_FRAME + 1)).failAtFrameByte(1009, 4)).options(LIMITED);
            for (int n : new int[]{MAX_MESSAGE - 1, MAX_MESSAGE}) {
                add(Section.LIMITS, "9.g" + k++, type + " message of " + n + " bytes in 3 frames, maxMessageSize "
                        + MAX_MESSAGE + ": echoed", s -> s.fragmented(op, repeat("y", 900), repeat("y", 900),
                        repeat("y", n - 1800)).close(1000, "")).options(LIMITED);
            }
            add(Section.LIMITS, "9.g" + k++, type + " message of " + (MAX_MESSAGE + 1)
                    + " bytes in 3 frames: 1009 at the 3rd frame's length", s -> s.frame(false, 0, op, repeat("y", 900))
                    .frame(false, 0, 0, repeat("y", 900)).frame(true, 0, 0, repeat("y", 201)).failAtFrameByte(1009, 4))
                    .options(LIMITED);
            for (int n : new int[]{MAX_MESSAGE - 1, MAX_MESSAGE}) {
                add(Section.LIMITS, "9.g" + k++, "compressed " + type + " message inflating to " + n + " bytes: echoed",
                        s -> s.compressed(op, repeat("z", n), 0).close(1000, ""))
                        .options(LIMITED).offer("permessage-deflate", true);
            }
            add(Section.LIMITS, "9.g" + k++, "compressed " + type + " message inflating to " + (MAX_MESSAGE + 1)
                    + " bytes (a few compressed): 1009", s -> {
                        int start = s.length();
                        s.compressed(op, repeat("z", MAX_MESSAGE + 1), 0);
                        s.expected.remove(s.expected.size() - 1);
                        s.failBetween(1009, start + 1, s.length());
                    }).options(LIMITED).offer("permessage-deflate", true);
            if (op == BINARY) {
                add(Section.LIMITS, "9.g" + k++, "compressed binary message of " + MAX_FRAME + " random bytes, "
                        + "a frame larger than maxFrameSize once deflated: echoed", s -> {
                            byte[] noise = new byte[MAX_FRAME];
                            new Random(8).nextBytes(noise);
                            s.compressed(op, noise, 0).close(1000, "");
                        }).options(LIMITED).offer("permessage-deflate", true);
            }
            int overBound = PerMessageDeflate.bound(MAX_FRAME) + 1;
            add(Section.LIMITS, "9.g" + k++, "compressed " + type + " frame of " + overBound
                    + " compressed bytes (over what deflate makes of maxFrameSize bytes): 1009 at its length field", s -> {
                        byte[] noise = new byte[1500];
                        new Random(9).nextBytes(noise);
                        byte[] wire = s.deflate(noise);
                        s.frame(true, 4, op, Arrays.copyOf(wire, overBound)).failAtFrameByte(1009, 4);
                    }).options(LIMITED).offer("permessage-deflate", true);
        }
        add(Section.LIMITS, "9.g" + k++, "many 1000-byte frames making up 2000 bytes then a 1-byte frame over",
                s -> s.frame(false, 0, BINARY, fill(1, 1000)).frame(false, 0, 0, fill(1, 1000))
                        .frame(true, 0, 0, fill(1, 1)).failAtFrameByte(1009, 2)).options(LIMITED);
        add(Section.LIMITS, "9.g" + k, "a 125-byte ping under the small limits: answered",
                s -> s.ping(fill(1, 125)).close(1000, "")).options(LIMITED);
    }

    static byte[][] split(byte[] data, int size) {
        int n = (data.length + size - 1) / size;
        byte[][] parts = new byte[n][];
        for (int i = 0; i < n; i++) {
            parts[i] = Arrays.copyOfRange(data, i * size, Math.min(data.length, (i + 1) * size));
        }
        return parts;
    }

    // ---- 10 auto-fragmentation ------------------------------------------------------------------

    private void autoFragmentation() {
        add(Section.AUTO_FRAGMENTATION, "10.1.1", "64 KiB text in frames of 1300 bytes",
                s -> s.fragmented(TEXT, split(repeat("*", 65536), 1300)).close(1000, ""));
    }

    // ---- 12 and 13 permessage-deflate -----------------------------------------------------------

    /** The suite's message sizes and client fragment sizes (0: one frame). */
    static final int[][] MESSAGE_SIZES = {{16, 0}, {64, 0}, {256, 0}, {1024, 0}, {4096, 0}, {8192, 0}, {16384, 0},
            {32768, 0}, {65536, 0}, {131072, 0}, {8192, 256}, {16384, 256}, {32768, 256}, {65536, 256},
            {131072, 256}, {131072, 1024}, {131072, 4096}, {131072, 32768}};

    /** Messages per case: the suite's 1000, cut so that each case sends about {@code budget} bytes. */
    static int count(int size, int budget) {
        return Math.max(2, Math.min(1000, budget / size));
    }

    /** The suite's run: consecutive slices of {@code data}, wrapping around, echoed one by one. */
    static void slices(Script s, byte[] data, boolean binary, int size, int fragment, int count) {
        int at = 0;
        for (int m = 0; m < count; m++) {
            byte[] msg = new byte[size];
            for (int i = 0; i < size; i++) {
                msg[i] = data[(at + i) % data.length];
            }
            at = (at + size) % data.length;
            s.compressed(binary ? BINARY : TEXT, msg, fragment);
        }
        s.close(1000, "");
    }

    private void deflatePayloads() {
        Object[][] sets = {
                {"German text (as Faust I), binary", TestData.GERMAN, true},
                {"a 512x512 8-bit bitmap, binary", TestData.BITMAP, true},
                {"a PDF-like mix of text and compressed streams, binary", TestData.PDF, true},
                {"JSON, text", TestData.JSON, false},
                {"HTML, text", TestData.HTML, false}};
        for (int j = 0; j < sets.length; j++) {
            String name = (String) sets[j][0];
            byte[] data = (byte[]) sets[j][1];
            boolean binary = (boolean) sets[j][2];
            for (int i = 0; i < MESSAGE_SIZES.length; i++) {
                int size = MESSAGE_SIZES[i][0];
                int fragment = MESSAGE_SIZES[i][1];
                int count = count(size, 128 << 10);
                add(Section.DEFLATE_PAYLOADS, "12." + (j + 1) + "." + (i + 1), count + " messages of " + size + " bytes of "
                        + name + (fragment > 0 ? ", in frames of " + fragment : "") + ", the suite's default offer",
                        s -> slices(s, data, binary, size, fragment, count))
                        .options(DEFLATE).offer(SUITE_OFFER, true);
            }
        }
        int k = 1;
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "invalid compressed data: 1007",
                s -> s.frame(true, 4, BINARY, hex("ffffffff")).failAtFrameByte(1007, 7))
                .options(DEFLATE).offer("permessage-deflate", true);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "empty compressed message (one empty stored block): echoed",
                s -> s.frame(true, 4, TEXT, new byte[]{0}).expect(WsWire.Event.text(new byte[0])).close(1000, ""))
                .options(DEFLATE).offer("permessage-deflate", true);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "RSV1 when the offer was declined (compression off): 1002",
                s -> s.frame(true, 4, TEXT, hex("f248cdc9c90700")).failAtFrameByte(1002, 1))
                .offer("permessage-deflate", false);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "compressed and plain messages mixed, with pings between fragments", s -> {
            s.compressed(TEXT, repeat("compressed ", 500), 0).text("plain").ping("p");
            byte[] wire = s.deflate(repeat("fragmented and compressed ", 400));
            s.frame(false, 4, TEXT, Arrays.copyOf(wire, 10)).ping("between")
                    .frame(true, 0, 0, Arrays.copyOfRange(wire, 10, wire.length))
                    .expect(WsWire.Event.text(repeat("fragmented and compressed ", 400)))
                    .binary(fill(9, 1000)).compressed(BINARY, fill(8, 5000), 100).close(1000, "");
        }).options(DEFLATE).offer("permessage-deflate", true);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "messages each compressed as a whole stream (ending with BFINAL)", s -> {
            for (int m = 0; m < 4; m++) {
                byte[] text = repeat("a complete deflate stream " + m + " ", 700);
                java.util.zip.Deflater whole = new java.util.zip.Deflater(6, true);
                whole.setInput(text);
                whole.finish();
                byte[] buf = new byte[2000];
                int n = whole.deflate(buf);
                whole.end();
                s.frame(true, 4, TEXT, Arrays.copyOf(buf, n)).expect(WsWire.Event.text(text));
            }
            s.close(1000, "");
        }).options(DEFLATE).offer("permessage-deflate", true);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k++, "compressed multi-byte text in frames of 7 compressed bytes", s -> {
            Random r = new Random(127);
            for (int m = 0; m < 20; m++) {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < 50 + r.nextInt(3000)) {
                    sb.appendCodePoint(new int[]{'a', 0xE9, 0x3C3, 0x6F22, 0x1F600}[r.nextInt(5)]);
                }
                s.compressed(TEXT, utf8(sb.toString()), 7);
            }
            s.close(1000, "");
        }).options(DEFLATE).offer("permessage-deflate", true);
        add(Section.DEFLATE_PAYLOADS, "12.g" + k, "a compressed message whose inflated size is 4 MiB, from 4 KiB",
                s -> s.compressed(BINARY, fill(0, 4 << 20), 0).close(1000, ""))
                .options(DEFLATE).offer("permessage-deflate", true);
    }

    private void deflateOffers() {
        String suiteBase = "permessage-deflate; client_no_context_takeover; client_max_window_bits";
        String[] offers = {
                suiteBase,
                suiteBase + "; server_no_context_takeover",
                suiteBase + "; server_max_window_bits=8",
                suiteBase + "; server_max_window_bits=15",
                suiteBase + "; server_no_context_takeover; server_max_window_bits=8",
                suiteBase + "; server_no_context_takeover; server_max_window_bits=15",
                suiteBase + "; server_no_context_takeover; server_max_window_bits=8, "
                        + suiteBase + "; server_no_context_takeover, " + suiteBase};
        for (int j = 0; j < offers.length; j++) {
            String offer = offers[j];
            for (int i = 0; i < MESSAGE_SIZES.length; i++) {
                int size = MESSAGE_SIZES[i][0];
                int fragment = MESSAGE_SIZES[i][1];
                int count = count(size, 64 << 10);
                ConformanceCase c = add(Section.DEFLATE_OFFERS, "13." + (j + 1) + "." + (i + 1), count + " JSON messages of "
                        + size + " bytes" + (fragment > 0 ? " in frames of " + fragment : "") + ", offer: " + offer,
                        s -> slices(s, TestData.JSON, false, size, fragment, count))
                        .options(DEFLATE).offer(offer, true);
            }
        }
        int k = 1;
        Consumer<Script> run = s -> {
            // Repeated content across messages: context takeover pays off, and must be honoured.
            for (int m = 0; m < 12; m++) {
                s.compressed(m % 3 == 0 ? BINARY : TEXT, Arrays.copyOfRange(TestData.JSON, m * 700, m * 700 + 3000), m % 4 == 1 ? 200 : 0);
            }
            s.close(1000, "");
        };
        String[][] accepted = {
                {"permessage-deflate", "no parameters"},
                {"permessage-deflate; server_no_context_takeover", "server_no_context_takeover: every server message decodes alone"},
                {"permessage-deflate; client_no_context_takeover", "client_no_context_takeover"},
                {"permessage-deflate; server_no_context_takeover; client_no_context_takeover", "both no_context_takeover"},
                {"permessage-deflate; client_max_window_bits", "client_max_window_bits without a value"},
                {"permessage-deflate; server_max_window_bits=15", "server_max_window_bits=15"},
                {"permessage-deflate; server_max_window_bits=\"15\"", "server_max_window_bits as a quoted string"},
                {"x-webkit-deflate-frame, permessage-deflate", "an unknown extension before it"},
                {"permessage-deflate; server_max_window_bits=16, permessage-deflate", "an invalid offer, then a valid one: the valid one"}};
        for (String[] a : accepted) {
            add(Section.DEFLATE_OFFERS, "13.g" + k++, "accepted: " + a[1] + " (" + a[0] + ")", run)
                    .options(DEFLATE).offer(a[0], true);
        }
        for (int bits = 8; bits <= 15; bits++) {
            add(Section.DEFLATE_OFFERS, "13.g" + k++, "accepted: client_max_window_bits=" + bits, run)
                    .options(DEFLATE).offer("permessage-deflate; client_max_window_bits=" + bits, true);
        }
        for (int bits = 8; bits <= 14; bits++) {
            add(Section.DEFLATE_OFFERS, "13.g" + k++, "accepted: server_max_window_bits=" + bits
                    + ", every back-reference within 2^" + bits + " bytes", run)
                    .options(DEFLATE).offer("permessage-deflate; server_max_window_bits=" + bits, true);
            add(Section.DEFLATE_OFFERS, "13.g" + k++, "accepted: server_max_window_bits=" + bits
                    + " with server_no_context_takeover", run)
                    .options(DEFLATE).offer("permessage-deflate; server_max_window_bits=" + bits
                            + "; server_no_context_takeover", true);
        }
        String[][] declined = {
                {"permessage-deflate; server_max_window_bits=7", "server_max_window_bits=7"},
                {"permessage-deflate; server_max_window_bits=16", "server_max_window_bits=16"},
                {"permessage-deflate; server_max_window_bits=0", "server_max_window_bits=0"},
                {"permessage-deflate; server_max_window_bits=09", "server_max_window_bits=09 (a leading zero)"},
                {"permessage-deflate; server_max_window_bits=abc", "server_max_window_bits=abc"},
                {"permessage-deflate; server_max_window_bits", "server_max_window_bits without a value"},
                {"permessage-deflate; client_max_window_bits=7", "client_max_window_bits=7"},
                {"permessage-deflate; client_max_window_bits=16", "client_max_window_bits=16"},
                {"permessage-deflate; client_max_window_bits=x", "client_max_window_bits=x"},
                {"permessage-deflate; server_no_context_takeover=1", "server_no_context_takeover with a value"},
                {"permessage-deflate; client_no_context_takeover=true", "client_no_context_takeover with a value"},
                {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", "duplicate server_no_context_takeover"},
                {"permessage-deflate; client_no_context_takeover; client_no_context_takeover", "duplicate client_no_context_takeover"},
                {"permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", "duplicate server_max_window_bits"},
                {"permessage-deflate; client_max_window_bits; client_max_window_bits=9", "duplicate client_max_window_bits"},
                {"permessage-deflate; unknown_parameter", "an unknown parameter"},
                {"x-webkit-deflate-frame", "another extension only"}};
        for (String[] d : declined) {
            add(Section.DEFLATE_OFFERS, "13.g" + k++, "declined: " + d[1] + "; then RSV1 is 1002", s -> {
                s.text("uncompressed").binary(fill(5, 300));
                s.frame(true, 4, TEXT, hex("f248cdc9c90700")).failAtFrameByte(1002, 1);
            }).options(DEFLATE).offer(d[0], false);
        }
        add(Section.DEFLATE_OFFERS, "13.g" + k, "declined: any offer while compression is off", s -> {
            s.text("uncompressed");
            s.frame(true, 4, TEXT, hex("f248cdc9c90700")).failAtFrameByte(1002, 1);
        }).offer(SUITE_OFFER, false);
    }
}
