package io.gev.websocket;

import java.util.Arrays;

/**
 * The wire form of a cluster-wide group message: what one instance publishes to the broker per
 * broadcast, and decodes once per received message for all its members.
 *
 * <pre>
 *   byte 0      magic 0x67 ('g')
 *   byte 1      version 1
 *   byte 2      opcode: 1 text, 2 binary (as in RFC 6455)
 *   byte 3      n, the instance id's length: 1..64
 *   bytes 4..   the publishing instance's id, n bytes of UTF-8
 *   the rest    the payload (text: UTF-8)
 * </pre>
 */
final class GroupEnvelope {

    static final byte MAGIC = 0x67;
    static final byte VERSION = 1;
    static final int HEADER = 4;

    private GroupEnvelope() {
    }

    /** The envelope of {@code payload} from the instance {@code instanceId} (1..64 bytes). */
    static byte[] encode(byte[] instanceId, int opcode, byte[] payload) {
        byte[] out = new byte[HEADER + instanceId.length + payload.length];
        out[0] = MAGIC;
        out[1] = VERSION;
        out[2] = (byte) opcode;
        out[3] = (byte) instanceId.length;
        System.arraycopy(instanceId, 0, out, HEADER, instanceId.length);
        System.arraycopy(payload, 0, out, HEADER + instanceId.length, payload.length);
        return out;
    }

    /**
     * The message to queue to local members, or {@code null} when {@code ownId} published it
     * (its members had it directly).
     *
     * @throws MalformedEnvelopeException when {@code message} is no envelope of this version, its
     *         payload exceeds {@code maxPayload} or a text payload is not valid UTF-8
     */
    static Outbound decode(byte[] message, byte[] ownId, int maxPayload) {
        if (message == null || message.length < HEADER + 1) {
            throw new MalformedEnvelopeException("shorter than a header: "
                    + (message == null ? "null" : message.length + " bytes"));
        }
        if (message[0] != MAGIC) {
            throw new MalformedEnvelopeException("bad magic byte " + (message[0] & 0xFF));
        }
        if (message[1] != VERSION) {
            throw new MalformedEnvelopeException("unknown version " + (message[1] & 0xFF));
        }
        int opcode = message[2];
        if (opcode != FrameDecoder.OP_TEXT && opcode != FrameDecoder.OP_BINARY) {
            throw new MalformedEnvelopeException("bad opcode " + (opcode & 0xFF));
        }
        int idLength = message[3] & 0xFF;
        if (idLength == 0 || idLength > io.gev.cluster.ClusterOptions.MAX_INSTANCE_ID_LENGTH
                || HEADER + idLength > message.length) {
            throw new MalformedEnvelopeException("bad instance id length " + idLength + " in "
                    + message.length + " bytes");
        }
        int start = HEADER + idLength;
        if (Arrays.equals(message, HEADER, start, ownId, 0, ownId.length)) {
            return null;
        }
        int length = message.length - start;
        if (length > maxPayload) {
            throw new MalformedEnvelopeException("payload of " + length + " bytes exceeds " + maxPayload);
        }
        if (opcode == FrameDecoder.OP_TEXT
                && Utf8Validator.validate(Utf8Validator.ACCEPT, message, start, message.length) != Utf8Validator.ACCEPT) {
            throw new MalformedEnvelopeException("text payload is not valid UTF-8");
        }
        return Outbound.message(opcode, Arrays.copyOfRange(message, start, message.length));
    }

    /** A message from the broker that is no valid envelope; carries no stack trace. */
    static final class MalformedEnvelopeException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        MalformedEnvelopeException(String message) {
            super(message, null, false, false);
        }
    }
}
