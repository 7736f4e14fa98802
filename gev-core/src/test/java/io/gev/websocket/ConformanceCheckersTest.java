package io.gev.websocket;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict client of ConformanceTest checks what it should, and refuses what it should. */
class ConformanceCheckersTest {

    private static final String KEY = WsTestClient.KEY;

    private static byte[] response(String extensions) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsWire.accept(KEY) + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theInflaterDecodesWhatZlibDeflatesAcrossMessages() {
        Random random = new Random(71);
        for (int level = 0; level <= 9; level++) {
            for (int strategy : new int[]{Deflater.DEFAULT_STRATEGY, Deflater.FILTERED, Deflater.HUFFMAN_ONLY}) {
                Deflater deflater = new Deflater(level, true);
                deflater.setStrategy(strategy);
                deflater.deflate(new byte[16]); // a new strategy takes a call of its own, consuming nothing
                StrictInflater inflater = new StrictInflater(15, true);
                for (int m = 0; m < 8; m++) {
                    byte[] data = new byte[random.nextInt(40_000)];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt() : "gev websocket ".charAt(i % 14));
                    }
                    assertArrayEquals(data, inflater.inflate(BadInput.deflate(deflater, data)),
                            "level " + level + ", strategy " + strategy + ", message " + m);
                }
            }
        }
    }

    @Test
    void theInflaterRefusesABackReferenceBeyondTheWindow() {
        byte[] block = new byte[3000];
        new Random(72).nextBytes(block);
        byte[] twice = new byte[6000];
        System.arraycopy(block, 0, twice, 0, 3000);
        System.arraycopy(block, 0, twice, 3000, 3000);
        byte[] wire = BadInput.deflate(new Deflater(9, true), twice); // the repeat refers 3000 bytes back
        assertTrue(wire.length < 4000, "the repeat was compressed");
        assertArrayEquals(twice, new StrictInflater(12, true).inflate(wire));
        StrictInflater.Refused e = assertThrows(StrictInflater.Refused.class, () -> new StrictInflater(11, true).inflate(wire));
        assertTrue(e.getMessage().contains("exceeds the window of 2048 bytes"), e.getMessage());
    }

    @Test
    void theInflaterRefusesAReferenceIntoAMessageWithoutContextTakeover() {
        byte[] text = "a message that the next one repeats word for word".getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(6, true);
        byte[] first = BadInput.deflate(deflater, text);
        byte[] second = BadInput.deflate(deflater, text);
        StrictInflater taking = new StrictInflater(15, true);
        assertArrayEquals(text, taking.inflate(first));
        assertArrayEquals(text, taking.inflate(second));
        StrictInflater fresh = new StrictInflater(15, false);
        assertArrayEquals(text, fresh.inflate(first));
        assertThrows(StrictInflater.Refused.class, () -> fresh.inflate(second));
        assertThrows(StrictInflater.Refused.class, () -> fresh.inflate(HexFormat.of().parseHex("ff")));
    }

    @Test
    void responsesAreCheckedAgainstTheOffer() {
        WsWire.Deflate d = WsWire.checkUpgrade(response("permessage-deflate; server_max_window_bits=10"), KEY,
                "permessage-deflate; server_max_window_bits=12");
        assertEquals(10, d.serverMaxWindowBits);
        assertEquals(15, WsWire.checkUpgrade(response("permessage-deflate"), KEY, "permessage-deflate").clientMaxWindowBits);
        assertEquals(9, WsWire.checkUpgrade(response("permessage-deflate; client_max_window_bits=9"), KEY,
                "permessage-deflate; client_max_window_bits").clientMaxWindowBits);
        String[][] refused = {
                {"permessage-deflate; server_max_window_bits=13", "permessage-deflate; server_max_window_bits=12"},
                {"permessage-deflate", "permessage-deflate; server_max_window_bits=12"},
                {"permessage-deflate", "permessage-deflate; server_no_context_takeover"},
                {"permessage-deflate; client_max_window_bits=10", "permessage-deflate"},
                {"permessage-deflate; client_max_window_bits=10", "permessage-deflate; client_max_window_bits=9"},
                {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", "permessage-deflate"},
                {"permessage-deflate; unknown", "permessage-deflate"},
                {"permessage-deflate", "permessage-deflate; server_max_window_bits=16"},
                {"permessage-deflate", null}};
        for (String[] r : refused) {
            assertThrows(AssertionError.class, () -> WsWire.checkUpgrade(response(r[0]), KEY, r[1]), Arrays.toString(r));
        }
        assertThrows(AssertionError.class, () -> WsWire.checkUpgrade(
                "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), KEY, null));
        assertThrows(AssertionError.class, () -> WsWire.checkUpgrade(response(null), "x" + KEY, null), "a wrong accept key");
    }

    @Test
    void theReferenceUtf8CheckFindsTheFirstByteThatCannotContinue() {
        HexFormat hex = HexFormat.of();
        assertEquals(-1, WsWire.firstInvalid(hex.parseHex("cebae1bdb9cf83cebcceb5")));
        assertEquals(0, WsWire.firstInvalid(hex.parseHex("c0af")));
        assertEquals(1, WsWire.firstInvalid(hex.parseHex("eda080")));
        assertEquals(1, WsWire.firstInvalid(hex.parseHex("f4908080")));
        assertEquals(1, WsWire.firstInvalid(hex.parseHex("e080af")));
        assertEquals(12, WsWire.firstInvalid(hex.parseHex("cebae1bdb9cf83cebcceb5f4908080656469746564")), "Autobahn 6.4.1: byte 12");
        assertEquals(3, WsWire.firstInvalid(hex.parseHex("41e282")), "truncated: its length");
    }

    @Test
    void serverFramesAreParsedStrictly() {
        byte[] close = WsTestClient.frame(true, 0, 8, WsTestClient.closePayload(1000, ""), 0, false);
        assertEquals(1, WsWire.parseFrames(close, null, null).size());
        byte[][] refused = {
                WsTestClient.frame(true, 0, 8, WsTestClient.closePayload(1000, ""), 7, true), // masked
                WsTestClient.frame(true, 2, 8, WsTestClient.closePayload(1000, ""), 0, false), // RSV2
                WsTestClient.frame(true, 0, 8, WsTestClient.closePayload(1005, ""), 0, false), // 1005 may not be sent
                WsTestClient.frame(false, 0, 8, WsTestClient.closePayload(1000, ""), 0, false), // no FIN
                Arrays.copyOf(close, close.length - 1), // cut
                concat(close, new byte[]{0}), // a byte after the close
                concat(WsTestClient.frame(true, 4, 1, new byte[]{1}, 0, false), close), // RSV1 without compression
                concat(HexFormat.of().parseHex("817e0005") , "hello".getBytes(StandardCharsets.UTF_8), close), // not minimal
                concat(WsTestClient.frame(true, 0, 1, new byte[]{(byte) 0xC0}, 0, false), close), // not UTF-8
                WsTestClient.frame(true, 0, 1, new byte[]{1}, 0, false)}; // no close
        for (byte[] r : refused) {
            assertThrows(AssertionError.class, () -> WsWire.parseFrames(r, null, null), HexFormat.of().formatHex(r));
        }
    }

    private static byte[] concat(byte[]... parts) {
        return ConformanceCases.concat(parts);
    }
}
