package io.gev.internal.proxy;

import io.gev.testing.ProxyHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;

import static io.gev.testing.ProxyHeaders.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ProxyHeaderDecoderTest {

    private static final int LIMIT = 2048;
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 4711);
    private static final InetSocketAddress FRONT4 = new InetSocketAddress("192.0.2.1", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 65535);
    private static final InetSocketAddress FRONT6 = new InetSocketAddress("2001:db8::1", 0);

    /** The header's length as the decoder finds it when the bytes come {@code cut} at a time. */
    private static int lengthIn(byte[] stream, int cut) throws ProxyHeaderException {
        byte[] got = new byte[stream.length];
        int count = 0;
        int length = -1;
        while (length < 0 || count < length) {
            int limit = ProxyHeaderDecoder.readLimit(got, count, length);
            assertTrue(limit > count, "the decoder asks for more bytes while it has " + count);
            int n = Math.min(Math.min(cut, limit - count), stream.length - count);
            if (n == 0) {
                fail("the decoder wants " + limit + " bytes of a stream of " + stream.length);
            }
            System.arraycopy(stream, count, got, count, n);
            count += n;
            length = ProxyHeaderDecoder.length(got, count, LIMIT);
        }
        assertTrue(count - length <= ProxyHeaderDecoder.V1_MAX_LENGTH, "reads past the header stay within a v1 line");
        if (stream[0] == 0x0D) {
            assertEquals(length, count, "a v2 header is read exactly");
        }
        return length;
    }

    private static ProxyHeader decodeAll(byte[] header) throws ProxyHeaderException {
        int length = ProxyHeaderDecoder.length(header, header.length, LIMIT);
        assertEquals(header.length, length);
        return ProxyHeaderDecoder.decode(header, length);
    }

    @Test
    void v1OverIpv4AndIpv6() throws Exception {
        ProxyHeader v4 = decodeAll(ProxyHeaders.v1(CLIENT4, FRONT4));
        assertEquals(1, v4.version());
        assertEquals(CLIENT4, v4.source());
        assertEquals(FRONT4, v4.destination());
        ProxyHeader v6 = decodeAll(ProxyHeaders.v1(CLIENT6, FRONT6));
        assertEquals(CLIENT6, v6.source());
        assertEquals(FRONT6, v6.destination());
    }

    @Test
    void v1UnknownKeepsTheSocketsAddresses() throws Exception {
        assertNull(decodeAll(ProxyHeaders.line("PROXY UNKNOWN")).source());
        assertNull(decodeAll(ProxyHeaders.line("PROXY UNKNOWN ffff::1 ffff::2 1 2")).source());
    }

    @Test
    void v1OfTheLongestLengthIsTakenAndOneByteMoreIsNot() throws Exception {
        String addresses = " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535";
        byte[] longest = ProxyHeaders.line("PROXY UNKNOWN" + addresses);
        assertEquals(ProxyHeaderDecoder.V1_MAX_LENGTH, longest.length, "the spec's worst case");
        assertNull(decodeAll(longest).source());
        assertEquals(65535, decodeAll(ProxyHeaders.line("PROXY TCP6" + addresses)).source().getPort());
        byte[] tooLong = ProxyHeaders.line("PROXY UNKNOWN " + "x".repeat(ProxyHeaderDecoder.V1_MAX_LENGTH - 15));
        assertEquals(ProxyHeaderDecoder.V1_MAX_LENGTH + 1, tooLong.length);
        ProxyHeaderException e = assertThrows(ProxyHeaderException.class,
                () -> ProxyHeaderDecoder.length(tooLong, ProxyHeaderDecoder.V1_MAX_LENGTH, LIMIT));
        assertTrue(e.getMessage().contains("without CRLF within 107 bytes"), e.getMessage());
    }

    @Test
    void v2OverIpv4AndIpv6WithTlvs() throws Exception {
        ProxyHeader v4 = decodeAll(ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(0x04, 100)));
        assertEquals(2, v4.version());
        assertEquals(CLIENT4, v4.source());
        assertEquals(FRONT4, v4.destination());
        ProxyHeader v6 = decodeAll(ProxyHeaders.v2(CLIENT6, FRONT6, new byte[0]));
        assertEquals(CLIENT6, v6.source());
        assertEquals(FRONT6, v6.destination());
    }

    @Test
    void v2LocalUnspecifiedAndUnixKeepTheSocketsAddresses() throws Exception {
        assertNull(decodeAll(ProxyHeaders.v2Local()).source());
        assertNull(decodeAll(ProxyHeaders.v2(0x21, 0x00, new byte[0])).source(), "PROXY over an unspecified family");
        assertNull(decodeAll(ProxyHeaders.v2(0x21, 0x31, new byte[216])).source(), "Unix sockets");
        // LOCAL ignores whatever addresses follow.
        assertNull(decodeAll(ProxyHeaders.v2(0x20, 0x11, new byte[12])).source());
    }

    @Test
    void v2HeaderLimitAtBelowAndAbove() throws Exception {
        byte[] base = ProxyHeaders.v2(CLIENT4, FRONT4, new byte[0]);
        int padding = LIMIT - base.length - 3;
        byte[] atLimit = ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(0x04, padding));
        assertEquals(LIMIT, atLimit.length);
        assertEquals(CLIENT4, decodeAll(atLimit).source());
        byte[] below = ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(0x04, padding - 1));
        assertEquals(CLIENT4, decodeAll(below).source());
        byte[] above = ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(0x04, padding + 1));
        ProxyHeaderException e = assertThrows(ProxyHeaderException.class,
                () -> ProxyHeaderDecoder.length(above, ProxyHeaderDecoder.V2_FIXED_LENGTH, LIMIT));
        assertEquals("PROXY protocol v2 header of 2049 bytes exceeds the limit of 2048 (maxHeaderSize)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET / HTTP/1.1",             // no header at all: refused at the first byte
            "PROXY TCP5 1.2.3.4 1.2.3.5 1 2",
            "PROXY TCP4 1.2.3.4 1.2.3.5 1",
            "PROXY TCP4 1.2.3.4 1.2.3.5 1 2 3",
            "PROXY TCP4 example.com 1.2.3.5 1 2",
            "PROXY TCP4 ::1 1.2.3.5 1 2",
            "PROXY TCP6 1.2.3.4 ::1 1 2",
            "PROXY TCP4 1.2.3.4 1.2.3.256 1 2",
            "PROXY TCP4 1.2.3.4 1.2.3.5 65536 2",
            "PROXY TCP4 1.2.3.4 1.2.3.5 -1 2",
            "PROXY TCP4 1.2.3.4 1.2.3.5 1 0x2",
            "PROXY TCP4  1.2.3.4 1.2.3.5 1 2",
            "proxy TCP4 1.2.3.4 1.2.3.5 1 2",
    })
    void malformedV1LinesAreRefused(String text) {
        byte[] line = ProxyHeaders.line(text);
        assertThrows(ProxyHeaderException.class, () -> {
            int length = ProxyHeaderDecoder.length(line, line.length, LIMIT);
            ProxyHeaderDecoder.decode(line, length);
        }, text);
    }

    @Test
    void controlBytesAndBareCarriageReturnsInAV1LineAreRefused() {
        byte[] nul = "PROXY TCP4 1.2.3.4\0 1.2.3.5 1 2\r\n".getBytes();
        assertTrue(assertThrows(ProxyHeaderException.class, () -> ProxyHeaderDecoder.length(nul, nul.length, LIMIT))
                .getMessage().contains("byte 0x0"));
        byte[] cr = "PROXY TCP4 1.2.3.4\r1.2.3.5 1 2\r\n".getBytes();
        assertTrue(assertThrows(ProxyHeaderException.class, () -> ProxyHeaderDecoder.length(cr, cr.length, LIMIT))
                .getMessage().contains("CR not followed by LF"));
    }

    @Test
    void malformedV2HeadersAreRefused() {
        byte[][] bad = {
                ProxyHeaders.v2(0x11, 0x11, new byte[12]),   // version 1 in a v2 signature
                ProxyHeaders.v2(0x22, 0x11, new byte[12]),   // command 2
                ProxyHeaders.v2(0x21, 0x12, new byte[12]),   // a datagram connection
                ProxyHeaders.v2(0x21, 0x13, new byte[12]),   // transport 3
                ProxyHeaders.v2(0x21, 0x41, new byte[12]),   // family 4
                ProxyHeaders.v2(0x21, 0x11, new byte[11]),   // IPv4 addresses cut short
                ProxyHeaders.v2(0x21, 0x21, new byte[35]),   // IPv6 addresses cut short
                ProxyHeaders.v2(0x21, 0x31, new byte[215]),  // Unix addresses cut short
        };
        for (byte[] header : bad) {
            assertThrows(ProxyHeaderException.class, () -> {
                int length = ProxyHeaderDecoder.length(header, header.length, LIMIT);
                ProxyHeaderDecoder.decode(header, length);
            }, Arrays.toString(header));
        }
    }

    @Test
    void aWrongFirstByteIsRefusedAtOnce() {
        assertThrows(ProxyHeaderException.class, () -> ProxyHeaderDecoder.length(new byte[] {'G'}, 1, LIMIT));
        assertThrows(ProxyHeaderException.class, () -> ProxyHeaderDecoder.length(new byte[] {0x16}, 1, LIMIT),
                "a TLS ClientHello without a header");
        byte[] almostV2 = Arrays.copyOf(ProxyHeaders.V2_SIGNATURE, 12);
        almostV2[11] = 0x0B;
        assertThrows(ProxyHeaderException.class, () -> ProxyHeaderDecoder.length(almostV2, 12, LIMIT));
    }

    @Test
    void everyPrefixOfAHeaderAsksForMore() throws Exception {
        for (byte[] header : new byte[][] {ProxyHeaders.v1(CLIENT6, FRONT6), ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(4, 9))}) {
            for (int n = 0; n < header.length; n++) {
                assertTrue(ProxyHeaderDecoder.length(header, n, LIMIT) < 0 || header[0] == 0x0D && n >= 16,
                        "a prefix of " + n + " bytes is not a whole header");
            }
        }
    }

    @Test
    void headersCutAnywhereDecodeAsWholeOnesWithTheStreamBehindThemUntouched() throws Exception {
        Random random = new Random(0x9E3779B97F4A7C15L);
        byte[] payload = "after the header".getBytes();
        for (int round = 0; round < 2_000; round++) {
            byte[] header;
            InetSocketAddress expected;
            switch (random.nextInt(4)) {
                case 0 -> { header = ProxyHeaders.v1(CLIENT4, FRONT4); expected = CLIENT4; }
                case 1 -> { header = ProxyHeaders.v1(CLIENT6, FRONT6); expected = CLIENT6; }
                case 2 -> { header = ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(4, random.nextInt(200))); expected = CLIENT4; }
                default -> { header = ProxyHeaders.v2(CLIENT6, FRONT6, new byte[0]); expected = CLIENT6; }
            }
            byte[] stream = concat(header, payload);
            int cut = round % 3 == 0 ? 1 : round % 3 == 1 ? stream.length : 1 + random.nextInt(40);
            int length = lengthIn(stream, cut);
            assertEquals(header.length, length, "round " + round + ", cuts of " + cut);
            assertEquals(expected, ProxyHeaderDecoder.decode(stream, length).source());
        }
    }

    @Test
    void randomBytesNeverFailButWithAProxyHeaderException() {
        Random random = new Random(42);
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(120)];
            random.nextBytes(bytes);
            // Start most of them right, so that the fuzzing reaches past the signatures.
            byte[] start = random.nextBoolean() ? ProxyHeaders.V2_SIGNATURE : "PROXY TCP4 ".getBytes();
            System.arraycopy(start, 0, bytes, 0, Math.min(start.length, Math.min(bytes.length, random.nextInt(start.length + 1))));
            try {
                int length = ProxyHeaderDecoder.length(bytes, bytes.length, LIMIT);
                if (length >= 0 && length <= bytes.length) {
                    ProxyHeaderDecoder.decode(bytes, length);
                }
            } catch (ProxyHeaderException e) {
                refused++;
            }
        }
        assertTrue(refused > 10_000, "most random bytes are refused: " + refused);
    }
}
