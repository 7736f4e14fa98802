package io.gev.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a strict client checks of what a server sends: the upgrade response (and the
 * permessage-deflate parameters it accepted, against the offers), and the frames, parsed to the
 * letter of RFC 6455 and RFC 7692, with a reference UTF-8 check built on the JDK's decoder.
 */
final class WsWire {

    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    private WsWire() {
    }

    /** A message or control frame the server sent; for a close, its code (1005 for none) and reason. */
    static final class Event {
        final int opcode;
        final byte[] payload;

        Event(int opcode, byte[] payload) {
            this.opcode = opcode;
            this.payload = payload;
        }

        static Event text(byte[] payload) {
            return new Event(TEXT, payload);
        }

        static Event binary(byte[] payload) {
            return new Event(BINARY, payload);
        }

        static Event pong(byte[] payload) {
            return new Event(PONG, payload);
        }

        /** A close with {@code code} and any reason; 1005 for an empty close frame. */
        static Event close(int code) {
            return new Event(CLOSE, new byte[]{(byte) (code >> 8), (byte) code});
        }

        int closeCode() {
            return payload.length < 2 ? CloseStatus.NO_STATUS_RECEIVED : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        /** Same kind and payload; for closes, the same code (the reason is the sender's to choose). */
        boolean matches(Event other) {
            if (opcode != other.opcode) {
                return false;
            }
            return opcode == CLOSE ? closeCode() == other.closeCode() : Arrays.equals(payload, other.payload);
        }

        @Override
        public String toString() {
            String name = switch (opcode) {
                case TEXT -> "text";
                case BINARY -> "binary";
                case CLOSE -> "close";
                case PING -> "ping";
                case PONG -> "pong";
                default -> "opcode " + opcode;
            };
            if (opcode == CLOSE) {
                return "close " + closeCode() + (payload.length > 2
                        ? " \"" + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) + "\"" : "");
            }
            String shown = payload.length <= 24 ? (opcode == BINARY ? hex(payload)
                    : "\"" + new String(payload, StandardCharsets.UTF_8) + "\"") : "";
            return name + "(" + payload.length + " bytes" + (shown.isEmpty() ? "" : ": " + shown) + ")";
        }
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    // ---- the upgrade ----------------------------------------------------------------------------

    /** What the server accepted of permessage-deflate. */
    static final class Deflate {
        boolean serverNoContextTakeover;
        boolean clientNoContextTakeover;
        int serverMaxWindowBits = 15;
        /** 15 unless the server asked the client for a smaller window. */
        int clientMaxWindowBits = 15;
        String header;

        @Override
        public String toString() {
            return header;
        }
    }

    /** The 101 response: checks every header a client checks, and returns the extension accepted. */
    static Deflate checkUpgrade(byte[] response, String key, String offers) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        assertTrue(end > 0, "no complete response head: " + text);
        assertEquals(end + 4, response.length, "bytes after the 101 response before any frame: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        assertEquals("HTTP/1.1 101 Switching Protocols", lines[0], text);
        Map<String, List<String>> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            assertTrue(colon > 0, "malformed header line: " + lines[i]);
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        assertEquals(List.of("websocket"), lower(headers.get("upgrade")), text);
        assertEquals(List.of("upgrade"), lower(headers.get("connection")), text);
        assertEquals(List.of(accept(key)), headers.get("sec-websocket-accept"), text);
        List<String> extensions = headers.get("sec-websocket-extensions");
        if (extensions == null) {
            return null;
        }
        assertEquals(1, extensions.size(), "one Sec-WebSocket-Extensions header: " + text);
        assertNotNull(offers, "the server accepted an extension nobody offered: " + extensions);
        return checkAccepted(extensions.get(0), offers);
    }

    private static List<String> lower(List<String> values) {
        return values == null ? null : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
    }

    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Parameters of one extension in a header: name, then parameter names to values (null for none). */
    private static Map<String, String> parameters(String extension, List<String> duplicates) {
        Map<String, String> params = new LinkedHashMap<>();
        String[] parts = extension.split(";");
        params.put("", parts[0].trim().toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1).trim();
            if (value != null && value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (params.containsKey(name)) {
                duplicates.add(name);
            }
            params.put(name, value);
        }
        return params;
    }

    /** 8..15, or -1 (RFC 7692: 1*DIGIT, no leading zero). */
    private static int windowBits(String value) {
        if (value == null || !value.matches("[1-9][0-9]?")) {
            return -1;
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /** Whether a permessage-deflate offer is one a server may accept (RFC 7692 section 7). */
    static boolean validOffer(String offer) {
        List<String> duplicates = new ArrayList<>();
        Map<String, String> params = parameters(offer, duplicates);
        if (!params.get("").equals("permessage-deflate") || !duplicates.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            switch (p.getKey()) {
                case "" -> { }
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (p.getValue() != null) {
                        return false;
                    }
                }
                case "server_max_window_bits" -> {
                    if (windowBits(p.getValue()) < 0) {
                        return false;
                    }
                }
                case "client_max_window_bits" -> {
                    if (p.getValue() != null && windowBits(p.getValue()) < 0) {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    /** Checks an accepted permessage-deflate response against the offers it may answer. */
    private static Deflate checkAccepted(String response, String offers) {
        List<String> duplicates = new ArrayList<>();
        Map<String, String> r = parameters(response, duplicates);
        assertEquals("permessage-deflate", r.get(""), "accepted: " + response);
        assertTrue(duplicates.isEmpty(), "duplicate parameters in the response: " + response);
        List<String> problems = new ArrayList<>();
        for (String offer : offers.split(",")) {
            if (!validOffer(offer.trim())) {
                continue; // a server must decline an invalid offer, so it cannot be the one answered
            }
            String problem = answers(r, parameters(offer.trim(), new ArrayList<>()));
            if (problem == null) {
                Deflate d = new Deflate();
                d.header = response;
                d.serverNoContextTakeover = r.containsKey("server_no_context_takeover");
                d.clientNoContextTakeover = r.containsKey("client_no_context_takeover");
                if (r.containsKey("server_max_window_bits")) {
                    d.serverMaxWindowBits = windowBits(r.get("server_max_window_bits"));
                }
                if (r.containsKey("client_max_window_bits")) {
                    d.clientMaxWindowBits = windowBits(r.get("client_max_window_bits"));
                }
                return d;
            }
            problems.add(offer.trim() + ": " + problem);
        }
        return fail("the response " + response + " answers none of the valid offers " + problems);
    }

    /** Why {@code response} does not accept {@code offer}, or null when it does (RFC 7692 7.1.1-7.1.2). */
    private static String answers(Map<String, String> response, Map<String, String> offer) {
        for (Map.Entry<String, String> p : response.entrySet()) {
            String name = p.getKey();
            String value = p.getValue();
            switch (name) {
                case "" -> { }
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (value != null) {
                        return name + " has a value";
                    }
                }
                case "server_max_window_bits" -> {
                    int bits = windowBits(value);
                    if (bits < 0) {
                        return "invalid " + name + "=" + value;
                    }
                    if (offer.containsKey(name) && bits > windowBits(offer.get(name))) {
                        return name + "=" + bits + " above the offered " + offer.get(name);
                    }
                }
                case "client_max_window_bits" -> {
                    int bits = windowBits(value);
                    if (!offer.containsKey(name)) {
                        return name + " was not offered";
                    }
                    if (bits < 0) {
                        return "invalid " + name + "=" + value;
                    }
                    if (offer.get(name) != null && bits > windowBits(offer.get(name))) {
                        return name + "=" + bits + " above the offered " + offer.get(name);
                    }
                }
                default -> {
                    return "unknown parameter " + name;
                }
            }
        }
        if (offer.containsKey("server_no_context_takeover") && !response.containsKey("server_no_context_takeover")) {
            return "server_no_context_takeover offered but not accepted";
        }
        if (offer.containsKey("server_max_window_bits") && !response.containsKey("server_max_window_bits")) {
            return "server_max_window_bits offered but not accepted";
        }
        return null;
    }

    // ---- frames ---------------------------------------------------------------------------------

    /** The server's frames, parsed strictly; the bytes must end with a close frame, and nothing after it. */
    static List<Event> parseFrames(byte[] bytes, Deflate deflate, StrictInflater inflater) {
        return parseFrames(bytes, deflate, inflater, false);
    }

    /**
     * As {@link #parseFrames(byte[], Deflate, StrictInflater)}; with {@code cut}, the bytes may
     * stop anywhere, in a frame or before the close: the complete frames are returned.
     */
    static List<Event> parseFrames(byte[] bytes, Deflate deflate, StrictInflater inflater, boolean cut) {
        List<Event> events = new ArrayList<>();
        int pos = 0;
        int messageOpcode = 0;
        boolean messageCompressed = false;
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        while (pos < bytes.length) {
            String where = "server frame at byte " + pos + " (after " + events.size() + " events)";
            if (bytes.length - pos < 2) {
                return cut ? events : fail(where + ": cut after its first byte");
            }
            int b0 = bytes[pos] & 0xFF;
            int b1 = bytes[pos + 1] & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int rsv = (b0 >> 4) & 7;
            int opcode = b0 & 0x0F;
            assertEquals(0, b1 & 0x80, where + ": a server frame must not be masked");
            int len7 = b1 & 0x7F;
            int header = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
            if (bytes.length - pos < header) {
                return cut ? events : fail(where + ": cut inside its length");
            }
            long length = len7;
            if (len7 == 126) {
                length = ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
                assertTrue(length >= 126, where + ": 16-bit length " + length + " not minimal");
            } else if (len7 == 127) {
                length = ByteBuffer.wrap(bytes, pos + 2, 8).getLong();
                assertTrue(length >= 65536, where + ": 64-bit length " + length + " not minimal or negative");
            }
            if (bytes.length - pos - header < length) {
                return cut ? events : fail(where + ": cut, " + (bytes.length - pos - header) + " of " + length + " payload bytes");
            }
            byte[] payload = Arrays.copyOfRange(bytes, pos + header, pos + header + (int) length);
            pos += header + (int) length;
            boolean control = (opcode & 8) != 0;
            if (control) {
                assertTrue(opcode == CLOSE || opcode == PING || opcode == PONG, where + ": opcode " + opcode);
                assertTrue(fin, where + ": a control frame must have FIN set");
                assertEquals(0, rsv, where + ": RSV bits on a control frame");
                assertTrue(length <= 125, where + ": control frame of " + length + " bytes");
                if (opcode == CLOSE) {
                    checkClosePayload(where, payload);
                    events.add(new Event(CLOSE, payload));
                    if (pos != bytes.length) {
                        return fail(where + ": " + (bytes.length - pos) + " bytes follow the close frame");
                    }
                    return events;
                }
                events.add(new Event(opcode, payload));
                continue;
            }
            if (opcode == 0) {
                assertTrue(messageOpcode != 0, where + ": continuation without a message");
                assertEquals(0, rsv, where + ": RSV bits on a continuation frame");
            } else {
                assertTrue(opcode == TEXT || opcode == BINARY, where + ": opcode " + opcode);
                assertEquals(0, messageOpcode, where + ": new message inside a fragmented one");
                assertTrue(rsv == 0 || (rsv == 4 && deflate != null), where + ": RSV bits " + rsv
                        + (deflate == null ? " without permessage-deflate" : ""));
                messageOpcode = opcode;
                messageCompressed = rsv == 4;
            }
            message.writeBytes(payload);
            if (fin) {
                byte[] data = message.toByteArray();
                message.reset();
                if (messageCompressed) {
                    try {
                        data = inflater.inflate(data);
                    } catch (StrictInflater.Refused e) {
                        return fail(where + ": compressed message refused: " + e.getMessage());
                    }
                }
                if (messageOpcode == TEXT) {
                    assertTrue(isValidUtf8(data), where + ": text message not valid UTF-8");
                }
                events.add(new Event(messageOpcode, data));
                messageOpcode = 0;
            }
        }
        return cut ? events : fail("the server's bytes end without a close frame after " + events);
    }

    private static void checkClosePayload(String where, byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        assertTrue(payload.length >= 2, where + ": close frame with a 1-byte payload");
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        assertTrue(CloseStatus.isValidCode(code), where + ": close code " + code + " may not be sent");
        assertTrue(isValidUtf8(Arrays.copyOfRange(payload, 2, payload.length)), where + ": close reason not UTF-8");
    }

    // ---- reference UTF-8 -----------------------------------------------------------------------

    /** The JDK's decoder, which rejects overlong forms, surrogates and code points above U+10FFFF. */
    static boolean isValidUtf8(byte[] b) {
        return isValidUtf8(b, b.length);
    }

    private static boolean isValidUtf8(byte[] b, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** One byte of each class a continuation byte can fall in (80-8F, 90-9F, A0-BF). */
    private static final byte[] CONTINUATIONS = {(byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F, (byte) 0xA0, (byte) 0xBF};

    /** Whether the first {@code length} bytes can be continued into valid UTF-8 (with at most 3 more bytes). */
    private static boolean validPrefix(byte[] b, int length) {
        byte[] probe = Arrays.copyOf(b, length + 3);
        for (int extra = 0; extra <= 3; extra++) {
            int combinations = (int) Math.pow(CONTINUATIONS.length, extra);
            for (int c = 0; c < combinations; c++) {
                int k = c;
                for (int i = 0; i < extra; i++) {
                    probe[length + i] = CONTINUATIONS[k % CONTINUATIONS.length];
                    k /= CONTINUATIONS.length;
                }
                if (isValidUtf8(probe, length + extra)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The index of the first byte at which {@code b} can no longer become valid UTF-8, or
     * {@code b.length} when it is a truncated sequence, or -1 when it is valid.
     */
    static int firstInvalid(byte[] b) {
        if (isValidUtf8(b)) {
            return -1;
        }
        if (validPrefix(b, b.length)) {
            return b.length;
        }
        // Validity of prefixes is monotonic: search for the shortest invalid one.
        int lo = 0;
        int hi = b.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (validPrefix(b, mid + 1)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
