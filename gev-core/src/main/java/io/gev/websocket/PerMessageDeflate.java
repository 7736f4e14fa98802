package io.gev.websocket;

import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692) of one connection: what was negotiated, and the zlib streams,
 * made on first use and {@link #end() ended} when the connection closes.
 *
 * <p>{@code java.util.zip} always compresses with a 32 KiB window, but a deflate stream whose back
 * references never reach further than 2^N bytes is valid for a window of 2^N. So an offer asking
 * the server for a smaller window ({@code server_max_window_bits} = N below 15) is granted, and
 * for such a connection every message is compressed in {@linkplain #chunkSize() chunks} of at most
 * 2^N bytes, the compressor reset before each: nothing before a chunk is within its reach. The
 * cost is the context of earlier chunks and messages (a 4-byte sync marker per chunk); messages
 * up to 2^N bytes compress as well as with a fresh stream. The inflater reads every window size,
 * so {@code client_max_window_bits} is accepted as offered.
 */
final class PerMessageDeflate {

    static final String NAME = "permessage-deflate";

    /** The tail that a sync flush ends with, which senders strip and receivers put back. */
    static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    // Named for a server; on a client (see accepted) "server" is this side, the one that compresses here.
    /** This side's compressor resets after each message. */
    final boolean serverNoContextTakeover;
    /** The peer's compressor resets after each message, so this side's decompressor does too. */
    final boolean clientNoContextTakeover;
    /** The window the client's decompressor has: 2^{@code server_max_window_bits}. */
    final int serverWindow;
    /** The value of the response's {@code Sec-WebSocket-Extensions} header. */
    final String response;
    private final int level;
    private Deflater deflater;
    private Inflater inflater;

    private PerMessageDeflate(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverWindowBits,
                              String response, int level) {
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.clientNoContextTakeover = clientNoContextTakeover;
        this.serverWindow = 1 << serverWindowBits;
        this.response = response;
        this.level = level;
    }

    /**
     * Accepts the first permessage-deflate offer among the {@code Sec-WebSocket-Extensions}
     * headers that is well formed.
     *
     * @return the negotiated extension, or {@code null} when compression is off or no offer fits
     */
    static PerMessageDeflate negotiate(List<String> extensionHeaders, WebSocketOptions options) {
        if (!options.compression()) {
            return null;
        }
        for (String offer : HandshakeRequest.tokens(extensionHeaders)) {
            PerMessageDeflate accepted = accept(offer, options);
            if (accepted != null) {
                return accepted;
            }
        }
        return null;
    }

    private static PerMessageDeflate accept(String offer, WebSocketOptions options) {
        Params params = Params.parse(offer);
        if (params == null) {
            return null;
        }
        boolean serverReset = params.serverNoContext || options.serverNoContextTakeover();
        boolean clientReset = params.clientNoContext || options.clientNoContextTakeover();
        StringBuilder response = new StringBuilder(NAME);
        if (serverReset) {
            response.append("; server_no_context_takeover");
        }
        if (clientReset) {
            response.append("; client_no_context_takeover");
        }
        if (params.serverWindowBits != 0) {
            response.append("; server_max_window_bits=").append(params.serverWindowBits);
        }
        return new PerMessageDeflate(serverReset, clientReset, params.serverWindowBits == 0 ? 15 : params.serverWindowBits,
                response.toString(), options.compressionLevel());
    }

    /**
     * A client's side of the permessage-deflate a server accepted with {@code response}, the value
     * of its {@code Sec-WebSocket-Extensions}, after an offer without parameters. The roles turn
     * around: this side's compressor is the client's ({@code client_no_context_takeover} resets
     * it), the decompressor the server's ({@code server_no_context_takeover}); the server's
     * window, whatever {@code server_max_window_bits} says, fits the 32 KiB this side inflates with.
     *
     * @return {@code null} when the response is not permessage-deflate, is malformed, or has
     *         {@code client_max_window_bits}, which was not offered
     */
    static PerMessageDeflate accepted(String response, WebSocketOptions options) {
        Params params = Params.parse(response);
        if (params == null || params.clientWindow) {
            return null;
        }
        // Named from the server's side, as the fields are: "server" is the side that writes here.
        return new PerMessageDeflate(params.clientNoContext || options.clientNoContextTakeover(),
                params.serverNoContext, 15, response.trim(), options.compressionLevel());
    }

    /** The parameters of one permessage-deflate offer or answer (RFC 7692 section 7.1). */
    private static final class Params {
        boolean serverNoContext;
        boolean clientNoContext;
        /** 0 when absent. */
        int serverWindowBits;
        boolean clientWindow;

        /** {@code null} when {@code extension} is not permessage-deflate, repeats or misspells a parameter, or has another. */
        static Params parse(String extension) {
            String[] parts = extension.split(";");
            if (!parts[0].trim().equalsIgnoreCase(NAME)) {
                return null;
            }
            Params p = new Params();
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                int eq = param.indexOf('=');
                String name = (eq < 0 ? param : param.substring(0, eq).trim()).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : unquote(param.substring(eq + 1).trim());
                switch (name) {
                    case "server_no_context_takeover":
                        if (p.serverNoContext || value != null) {
                            return null;
                        }
                        p.serverNoContext = true;
                        break;
                    case "client_no_context_takeover":
                        if (p.clientNoContext || value != null) {
                            return null;
                        }
                        p.clientNoContext = true;
                        break;
                    case "server_max_window_bits":
                        if (p.serverWindowBits != 0 || value == null || windowBits(value) < 0) {
                            return null;
                        }
                        p.serverWindowBits = windowBits(value);
                        break;
                    case "client_max_window_bits":
                        if (p.clientWindow || (value != null && windowBits(value) < 0)) {
                            return null;
                        }
                        p.clientWindow = true;
                        break;
                    default:
                        return null; // an unknown parameter makes the offer invalid
                }
            }
            return p;
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** 8-15 as an int, or -1 when {@code value} is anything else (RFC 7692: 1*DIGIT without leading zeros). */
    private static int windowBits(String value) {
        if (value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /**
     * Input bytes compressed between two resets of the compressor, so that no back reference
     * reaches beyond the client's window; {@link Integer#MAX_VALUE} for the full 32 KiB window,
     * which needs no reset.
     */
    int chunkSize() {
        return serverWindow < (1 << 15) ? serverWindow : Integer.MAX_VALUE;
    }

    /** zlib's {@code compressBound}: the most deflate makes of {@code n} bytes, whoever compresses. */
    static int bound(int n) {
        long bound = (long) n + (n >> 12) + (n >> 14) + (n >> 25) + 13;
        return (int) Math.min(Integer.MAX_VALUE, bound);
    }

    /** The compressor of outgoing messages, made on first use. */
    Deflater deflater() {
        if (deflater == null) {
            deflater = new Deflater(level, true);
        }
        return deflater;
    }

    /** The decompressor of incoming messages, made on first use. */
    Inflater inflater() {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        return inflater;
    }

    /** Frees the zlib streams' native memory. */
    void end() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}
