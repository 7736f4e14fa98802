package io.gev.websocket;

import java.nio.ByteBuffer;

/**
 * Incremental UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) as a small state machine, so that a text message split over frames and reads is
 * checked as its bytes arrive and an invalid one fails at the first bad byte.
 *
 * <p>The state is an int the caller keeps: start with {@link #ACCEPT}, feed every chunk with
 * {@link #validate}, stop at {@link #REJECT} (sticky) and require {@link #ACCEPT} at the end of the
 * message (anything else is a truncated sequence).
 */
final class Utf8Validator {

    /** Between characters: the bytes so far are valid and complete. */
    static final int ACCEPT = 0;
    /** An invalid byte was seen; stays so. */
    static final int REJECT = 8;

    private static final long HIGH_BITS = 0x8080808080808080L;

    /*
     * Byte classes: 0 ASCII, 1 80..8F, 2 90..9F, 3 A0..BF, 4 C0 C1 F5..FF, 5 C2..DF, 6 E0,
     * 7 E1..EC EE EF, 8 ED, 9 F0, 10 F1..F3, 11 F4.
     * States: 0 accept, 1-3 need 1-3 continuation bytes, 4 after E0 (A0..BF), 5 after ED (80..9F),
     * 6 after F0 (90..BF), 7 after F4 (80..8F), 8 reject.
     */
    private static final int CLASSES = 12;
    private static final byte[] CLASS = new byte[256];
    private static final byte[] NEXT = new byte[9 * CLASSES];

    static {
        for (int b = 0; b < 256; b++) {
            int c;
            if (b < 0x80) {
                c = 0;
            } else if (b < 0x90) {
                c = 1;
            } else if (b < 0xA0) {
                c = 2;
            } else if (b < 0xC0) {
                c = 3;
            } else if (b < 0xC2 || b > 0xF4) {
                c = 4;
            } else if (b < 0xE0) {
                c = 5;
            } else if (b == 0xE0) {
                c = 6;
            } else if (b == 0xED) {
                c = 8;
            } else if (b < 0xF0) {
                c = 7;
            } else if (b == 0xF0) {
                c = 9;
            } else if (b < 0xF4) {
                c = 10;
            } else {
                c = 11;
            }
            CLASS[b] = (byte) c;
        }
        java.util.Arrays.fill(NEXT, (byte) REJECT);
        // Lead bytes.
        set(ACCEPT, 0, ACCEPT);
        set(ACCEPT, 5, 1);
        set(ACCEPT, 6, 4);
        set(ACCEPT, 7, 2);
        set(ACCEPT, 8, 5);
        set(ACCEPT, 9, 6);
        set(ACCEPT, 10, 3);
        set(ACCEPT, 11, 7);
        for (int cont = 1; cont <= 3; cont++) {
            // Any continuation byte 80..BF.
            set(1, cont, ACCEPT);
            set(2, cont, 1);
            set(3, cont, 2);
        }
        set(4, 3, 1);      // E0 A0..BF: no overlong three-byte forms
        set(5, 1, 1);      // ED 80..9F: no surrogates
        set(5, 2, 1);
        set(6, 2, 2);      // F0 90..BF: no overlong four-byte forms
        set(6, 3, 2);
        set(7, 1, 2);      // F4 80..8F: nothing above U+10FFFF
    }

    private Utf8Validator() {
    }

    private static void set(int state, int byteClass, int next) {
        NEXT[state * CLASSES + byteClass] = (byte) next;
    }

    /**
     * Feeds the bytes {@code [from, to)} of {@code buf} (absolute indexes; position and limit
     * are not used or changed).
     *
     * @return the new state; {@link #REJECT} as soon as a byte is invalid
     */
    static int validate(int state, ByteBuffer buf, int from, int to) {
        if (buf.hasArray()) {
            int base = buf.arrayOffset();
            return validate(state, buf.array(), base + from, base + to);
        }
        int i = from;
        while (i < to) {
            if (state == ACCEPT) {
                // Skip ASCII eight bytes at a time; the common case for text.
                while (i + 8 <= to && (buf.getLong(i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == to) {
                    break;
                }
            }
            state = NEXT[state * CLASSES + CLASS[buf.get(i) & 0xFF]];
            if (state == REJECT) {
                return REJECT;
            }
            i++;
        }
        return state;
    }

    /** Feeds {@code bytes[from, to)}. */
    static int validate(int state, byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = bytes[i];
            if (b >= 0 && state == ACCEPT) {
                continue;
            }
            state = NEXT[state * CLASSES + CLASS[b & 0xFF]];
            if (state == REJECT) {
                return REJECT;
            }
        }
        return state;
    }

    /** Whether all remaining bytes of {@code buf} form complete, valid UTF-8. */
    static boolean isValid(ByteBuffer buf) {
        return validate(ACCEPT, buf, buf.position(), buf.limit()) == ACCEPT;
    }
}
