package io.gev.websocket;

import java.nio.charset.StandardCharsets;

/**
 * What the WebSocket protocol sends besides plain payloads: control frames, pre-encoded messages
 * (a broadcast encodes once for every receiver) and HTTP responses. Immutable, so one instance
 * may be sent on many connections from any thread.
 */
final class Outbound {

    /** Not a frame: {@link #payload} is an HTTP response written as it is. */
    static final int HTTP = -1;

    final int opcode;
    final byte[] payload;
    /** For a close frame: the code sent, or {@link CloseStatus#NO_STATUS_RECEIVED} for none. */
    final int closeCode;
    final String closeReason;

    private Outbound(int opcode, byte[] payload, int closeCode, String closeReason) {
        this.opcode = opcode;
        this.payload = payload;
        this.closeCode = closeCode;
        this.closeReason = closeReason;
    }

    static Outbound http(byte[] response) {
        return new Outbound(HTTP, response, 0, null);
    }

    static Outbound message(int opcode, byte[] payload) {
        return new Outbound(opcode, payload, 0, null);
    }

    static Outbound text(CharSequence text) {
        return message(FrameDecoder.OP_TEXT, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Outbound ping(byte[] payload) {
        return new Outbound(FrameDecoder.OP_PING, payload, 0, null);
    }

    static Outbound pong(byte[] payload) {
        return new Outbound(FrameDecoder.OP_PONG, payload, 0, null);
    }

    /**
     * A close frame with {@code code} and {@code reason}.
     *
     * @throws IllegalArgumentException if the code may not be sent or the reason exceeds 123
     *         bytes in UTF-8
     */
    static Outbound close(int code, String reason) {
        if (!CloseStatus.isValidCode(code)) {
            throw new IllegalArgumentException("code may not be sent in a close frame: " + code);
        }
        String r = reason == null ? "" : reason;
        byte[] utf8 = r.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 123) {
            throw new IllegalArgumentException("reason must fit 123 bytes in UTF-8: " + utf8.length);
        }
        byte[] payload = new byte[2 + utf8.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(utf8, 0, payload, 2, utf8.length);
        return new Outbound(FrameDecoder.OP_CLOSE, payload, code, r);
    }

    /** The close frame answering a client's close with {@code code}: empty for an empty one. */
    static Outbound echo(int code) {
        return code == CloseStatus.NO_STATUS_RECEIVED
                ? new Outbound(FrameDecoder.OP_CLOSE, new byte[0], code, "") : close(code, "");
    }

    /** A close frame for a failure: the reason is cut to fit. */
    static Outbound failure(int code, String reason) {
        String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
        return close(code, r.getBytes(StandardCharsets.UTF_8).length > 123 ? "" : r);
    }
}
