package io.gev.bench.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/** The client side of the RFC 6455 opening handshake. */
public final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private Handshake() {
    }

    /** A fresh {@code Sec-WebSocket-Key} made from 16 bytes of {@code seed}. */
    public static String newKey(long seed) {
        byte[] nonce = new byte[16];
        for (int i = 0; i < 16; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            nonce[i] = (byte) (seed >>> 56);
        }
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The upgrade request for {@code path} on {@code host:port}. */
    public static byte[] request(String host, int port, String path, String key) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key}. */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks a response head (up to and excluding the blank line).
     *
     * @return {@code null} when it accepts the upgrade, else what is wrong
     */
    public static String check(String head, String key) {
        String[] lines = head.split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            return "expected 101 Switching Protocols, got '" + lines[0] + "'";
        }
        String expected = accept(key);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                String got = lines[i].substring(colon + 1).trim();
                return got.equals(expected) ? null : "Sec-WebSocket-Accept " + got + ", expected " + expected;
            }
        }
        return "no Sec-WebSocket-Accept in the response";
    }

    /** The header of an unmasked (server) binary frame of {@code length} bytes with FIN set. */
    public static byte[] serverBinaryHeader(int length) {
        return header(length, false);
    }

    /** The header of a masked (client) binary frame of {@code length} bytes with FIN set, without the key. */
    public static byte[] clientBinaryHeader(int length) {
        return header(length, true);
    }

    private static byte[] header(int length, boolean masked) {
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            return new byte[] {(byte) 0x82, (byte) (maskBit | length)};
        }
        if (length <= 0xFFFF) {
            return new byte[] {(byte) 0x82, (byte) (maskBit | 126), (byte) (length >>> 8), (byte) length};
        }
        byte[] h = new byte[10];
        h[0] = (byte) 0x82;
        h[1] = (byte) (maskBit | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
        }
        return h;
    }
}
