package io.gev.websocket;

import java.util.Arrays;

/**
 * A raw DEFLATE decoder (RFC 1951) written from the specification, independent of zlib, that
 * refuses what a permessage-deflate client with a small window could not decode: a back-reference
 * farther than the negotiated window ({@code server_max_window_bits}), or into an earlier message
 * when the server promised {@code server_no_context_takeover}. java.util.zip cannot check either:
 * its inflater always keeps a 32 KiB window.
 */
final class StrictInflater {

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43,
            51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4,
            4, 4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
            513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
            10, 10, 11, 11, 12, 12, 13, 13};
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    /** Thrown for a stream a strict client refuses. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final int window;
    private final boolean contextTakeover;
    /** The last {@code window} bytes of the earlier messages, when context is taken over. */
    private byte[] history = new byte[0];

    // Per message.
    private byte[] in;
    private int pos;
    private long bitBuffer;
    private int bitCount;
    private byte[] out;
    private int outLength;
    private int messageStart;

    StrictInflater(int windowBits, boolean contextTakeover) {
        this.window = 1 << windowBits;
        this.contextTakeover = contextTakeover;
    }

    /**
     * Decodes one message's payload as RFC 7692 says: with the 4-byte tail of a sync flush
     * appended.
     *
     * @throws Refused for invalid DEFLATE data or a distance beyond the window or the context
     */
    byte[] inflate(byte[] payload) {
        in = Arrays.copyOf(payload, payload.length + 4);
        in[payload.length + 2] = (byte) 0xFF;
        in[payload.length + 3] = (byte) 0xFF;
        pos = 0;
        bitBuffer = 0;
        bitCount = 0;
        out = Arrays.copyOf(contextTakeover ? history : new byte[0], Math.max(1024, history.length * 2));
        outLength = messageStart = contextTakeover ? history.length : 0;
        boolean last = false;
        while (!last && pos < in.length) {
            last = bits(1) == 1;
            int type = bits(2);
            switch (type) {
                case 0 -> stored();
                case 1 -> codes(FIXED_LENGTHS, FIXED_DISTANCES);
                case 2 -> dynamic();
                default -> throw new Refused("invalid block type 3");
            }
        }
        // A block with BFINAL ends the stream: what follows is the appended tail, and the next
        // message starts a new stream without context.
        byte[] message = Arrays.copyOfRange(out, messageStart, outLength);
        if (contextTakeover && !last) {
            history = Arrays.copyOfRange(out, Math.max(0, outLength - window), outLength);
        } else {
            history = new byte[0];
        }
        return message;
    }

    private int bits(int need) {
        long value = bitBuffer;
        while (bitCount < need) {
            if (pos == in.length) {
                throw new Refused("the compressed data ends inside a block");
            }
            value |= (long) (in[pos++] & 0xFF) << bitCount;
            bitCount += 8;
        }
        bitBuffer = value >>> need;
        bitCount -= need;
        return (int) (value & ((1L << need) - 1));
    }

    private void stored() {
        bitBuffer = 0;
        bitCount = 0;
        if (pos + 4 > in.length) {
            throw new Refused("stored block header cut");
        }
        int len = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
        int nlen = (in[pos + 2] & 0xFF) | (in[pos + 3] & 0xFF) << 8;
        pos += 4;
        if (len != (~nlen & 0xFFFF)) {
            throw new Refused("stored block length does not match its complement");
        }
        if (pos + len > in.length) {
            throw new Refused("stored block cut");
        }
        for (int i = 0; i < len; i++) {
            put(in[pos++]);
        }
    }

    private void put(byte b) {
        if (outLength == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
        }
        out[outLength++] = b;
    }

    /** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
    private static final class Huffman {
        final int[] count = new int[16];
        final int[] symbol;

        /**
         * @param anyIncomplete whether the code may leave codes unused (the fixed distance code
         *        does); otherwise only a code of a single symbol may
         */
        Huffman(int[] lengths, int n, boolean complete, boolean anyIncomplete) {
            symbol = new int[n];
            for (int s = 0; s < n; s++) {
                count[lengths[s]]++;
            }
            int left = 1;
            for (int len = 1; len < 16; len++) {
                left = (left << 1) - count[len];
                if (left < 0) {
                    throw new Refused("over-subscribed Huffman code");
                }
            }
            int used = n - count[0];
            if (left > 0 && (complete || (used > 1 && !anyIncomplete))) {
                throw new Refused("incomplete Huffman code");
            }
            int[] offsets = new int[16];
            for (int len = 1; len < 15; len++) {
                offsets[len + 1] = offsets[len] + count[len];
            }
            for (int s = 0; s < n; s++) {
                if (lengths[s] != 0) {
                    symbol[offsets[lengths[s]]++] = s;
                }
            }
        }
    }

    private static final Huffman FIXED_LENGTHS;
    private static final Huffman FIXED_DISTANCES;

    static {
        int[] lengths = new int[288];
        Arrays.fill(lengths, 0, 144, 8);
        Arrays.fill(lengths, 144, 256, 9);
        Arrays.fill(lengths, 256, 280, 7);
        Arrays.fill(lengths, 280, 288, 8);
        FIXED_LENGTHS = new Huffman(lengths, 288, true, false);
        int[] distances = new int[30];
        Arrays.fill(distances, 5);
        FIXED_DISTANCES = new Huffman(distances, 30, false, true);
    }

    private int decode(Huffman h) {
        int code = 0;
        int first = 0;
        int index = 0;
        for (int len = 1; len < 16; len++) {
            code |= bits(1);
            int count = h.count[len];
            if (code - count < first) {
                return h.symbol[index + (code - first)];
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        throw new Refused("no Huffman code matches");
    }

    private void codes(Huffman lengths, Huffman distances) {
        while (true) {
            int symbol = decode(lengths);
            if (symbol < 256) {
                put((byte) symbol);
            } else if (symbol == 256) {
                return;
            } else {
                symbol -= 257;
                if (symbol >= 29) {
                    throw new Refused("invalid length symbol " + (symbol + 257));
                }
                int length = LENGTH_BASE[symbol] + bits(LENGTH_EXTRA[symbol]);
                int d = decode(distances);
                if (d >= 30) {
                    throw new Refused("invalid distance symbol " + d);
                }
                int distance = DIST_BASE[d] + bits(DIST_EXTRA[d]);
                if (distance > window) {
                    throw new Refused("a back-reference " + distance + " bytes back exceeds the window of "
                            + window + " bytes");
                }
                if (distance > outLength) {
                    throw new Refused("a back-reference " + distance + " bytes back reaches before the context ("
                            + (outLength - messageStart) + " bytes of this message, "
                            + (contextTakeover ? messageStart + " of earlier ones" : "no context taken over") + ")");
                }
                for (int i = 0; i < length; i++) {
                    put(out[outLength - distance]);
                }
            }
        }
    }

    private void dynamic() {
        int nlen = bits(5) + 257;
        int ndist = bits(5) + 1;
        int ncode = bits(4) + 4;
        if (nlen > 286 || ndist > 30) {
            throw new Refused("too many length or distance codes");
        }
        int[] lengths = new int[320];
        for (int i = 0; i < ncode; i++) {
            lengths[CODE_LENGTH_ORDER[i]] = bits(3);
        }
        Huffman lencode = new Huffman(lengths, 19, true, false);
        int index = 0;
        Arrays.fill(lengths, 0);
        while (index < nlen + ndist) {
            int symbol = decode(lencode);
            if (symbol < 16) {
                lengths[index++] = symbol;
                continue;
            }
            int repeat;
            int value = 0;
            if (symbol == 16) {
                if (index == 0) {
                    throw new Refused("repeat with no first length");
                }
                value = lengths[index - 1];
                repeat = 3 + bits(2);
            } else if (symbol == 17) {
                repeat = 3 + bits(3);
            } else {
                repeat = 11 + bits(7);
            }
            if (index + repeat > nlen + ndist) {
                throw new Refused("too many lengths");
            }
            while (repeat-- > 0) {
                lengths[index++] = value;
            }
        }
        if (lengths[256] == 0) {
            throw new Refused("no end-of-block code");
        }
        Huffman literals = new Huffman(lengths, nlen, false, false);
        Huffman distances = new Huffman(Arrays.copyOfRange(lengths, nlen, nlen + ndist), ndist, false, false);
        codes(literals, distances);
    }
}
