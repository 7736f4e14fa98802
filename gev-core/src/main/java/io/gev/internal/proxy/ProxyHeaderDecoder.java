package io.gev.internal.proxy;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the PROXY protocol header (HAProxy's spec, versions 1 and 2) at the start of a
 * connection, from the bytes read so far: {@link #length} tells, as early as the bytes allow,
 * whether they can be a header and how long it is; {@link #decode} reads the complete one. The
 * caller reads no further than {@link #readLimit} allows, so that only a v1 line (which has no
 * length field) may take bytes past its end with it. Addresses are taken only as literals, never
 * resolved. Stateless.
 */
public final class ProxyHeaderDecoder {

    /** v2's fixed part: the signature, version and command, family and transport, length. */
    public static final int V2_FIXED_LENGTH = 16;
    /** The spec's longest v1 line, CRLF included. */
    public static final int V1_MAX_LENGTH = 107;
    /** A v2 header with Unix socket addresses and no TLVs, which every receiver must take. */
    public static final int V2_MIN_LIMIT = V2_FIXED_LENGTH + 216;
    /** The largest v2 header there is: the length field is 16 bits. */
    public static final int V2_MAX_LENGTH = V2_FIXED_LENGTH + 0xFFFF;

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    private ProxyHeaderDecoder() {
    }

    /**
     * How many bytes of the connection to have read in all before {@link #length} is asked again:
     * the fixed part first, then a v2 header's exact length or a v1 line's longest.
     *
     * @param length what {@link #length} answered for the bytes so far (-1 while unknown)
     */
    public static int readLimit(byte[] bytes, int count, int length) {
        if (length >= 0) {
            return length;
        }
        if (count < V2_FIXED_LENGTH || bytes[0] == V2_SIGNATURE[0]) {
            return V2_FIXED_LENGTH;
        }
        return V1_MAX_LENGTH;
    }

    /**
     * The header's length in bytes, once the first {@code count} bytes tell it, else -1: more bytes
     * are needed. Bytes past it belong to the connection's stream.
     *
     * @param maxV2Length the longest v2 header taken
     * @throws ProxyHeaderException as soon as the bytes cannot begin a header, or when it is longer than allowed
     */
    public static int length(byte[] bytes, int count, int maxV2Length) throws ProxyHeaderException {
        if (count == 0) {
            return -1;
        }
        boolean v2 = bytes[0] == V2_SIGNATURE[0];
        byte[] signature = v2 ? V2_SIGNATURE : V1_SIGNATURE;
        for (int i = 0, n = Math.min(count, signature.length); i < n; i++) {
            if (bytes[i] != signature[i]) {
                throw new ProxyHeaderException("the connection does not begin with a PROXY protocol header (first bytes "
                        + printable(bytes, Math.min(count, 16)) + ")");
            }
        }
        if (v2) {
            if (count < V2_FIXED_LENGTH) {
                return -1;
            }
            int version = (bytes[12] & 0xF0) >> 4;
            if (version != 2) {
                throw new ProxyHeaderException("PROXY protocol v2 signature with version " + version);
            }
            int length = V2_FIXED_LENGTH + (((bytes[14] & 0xFF) << 8) | (bytes[15] & 0xFF));
            if (length > maxV2Length) {
                throw new ProxyHeaderException("PROXY protocol v2 header of " + length
                        + " bytes exceeds the limit of " + maxV2Length + " (maxHeaderSize)");
            }
            return length;
        }
        for (int i = V1_SIGNATURE.length; i < count; i++) {
            byte b = bytes[i];
            if (b == '\r') {
                if (i + 1 == count) {
                    break; // the LF may come next, if the line is not at its longest already
                }
                if (bytes[i + 1] != '\n') {
                    throw new ProxyHeaderException("PROXY protocol v1 line with a CR not followed by LF");
                }
                return i + 2;
            }
            if (b < 0x20 || b > 0x7E) {
                throw new ProxyHeaderException("PROXY protocol v1 line with the byte 0x" + Integer.toHexString(b & 0xFF)
                        + " at " + i);
            }
        }
        if (count >= V1_MAX_LENGTH) {
            throw new ProxyHeaderException("PROXY protocol v1 line without CRLF within " + V1_MAX_LENGTH + " bytes");
        }
        return -1;
    }

    /**
     * Decodes the complete header of {@code length} bytes (what {@link #length} answered).
     *
     * @throws ProxyHeaderException when it is malformed; the message says how
     */
    public static ProxyHeader decode(byte[] bytes, int length) throws ProxyHeaderException {
        return bytes[0] == V2_SIGNATURE[0] ? decodeV2(bytes, length) : decodeV1(bytes, length);
    }

    private static ProxyHeader decodeV2(byte[] b, int length) throws ProxyHeaderException {
        int command = b[12] & 0x0F;
        if (command == 0) {
            return new ProxyHeader(2, null, null); // LOCAL: the balancer's own, such as a health check
        }
        if (command != 1) {
            throw new ProxyHeaderException("PROXY protocol v2 header with the unknown command " + command);
        }
        int family = (b[13] & 0xF0) >> 4;
        int transport = b[13] & 0x0F;
        if (transport == 2) {
            throw new ProxyHeaderException("PROXY protocol v2 header of a datagram connection on a stream server");
        }
        if (transport > 2) {
            throw new ProxyHeaderException("PROXY protocol v2 header with the unknown transport " + transport);
        }
        int addresses = length - V2_FIXED_LENGTH;
        switch (family) {
            case 0: // UNSPEC: the receiver keeps the socket's addresses
                return new ProxyHeader(2, null, null);
            case 1:
                require(addresses, 12, "TCP over IPv4");
                return new ProxyHeader(2, address(b, 16, 4, 24), address(b, 20, 4, 26));
            case 2:
                require(addresses, 36, "TCP over IPv6");
                return new ProxyHeader(2, address(b, 16, 16, 48), address(b, 32, 16, 50));
            case 3: // Unix socket paths: no address of this server's kind
                require(addresses, 216, "Unix sockets");
                return new ProxyHeader(2, null, null);
            default:
                throw new ProxyHeaderException("PROXY protocol v2 header with the unknown address family " + family);
        }
    }

    private static void require(int have, int need, String what) throws ProxyHeaderException {
        if (have < need) {
            throw new ProxyHeaderException("PROXY protocol v2 header of " + what + " with " + have
                    + " bytes of addresses, not " + need);
        }
    }

    private static InetSocketAddress address(byte[] b, int at, int size, int portAt) {
        byte[] raw = new byte[size];
        System.arraycopy(b, at, raw, 0, size);
        int port = ((b[portAt] & 0xFF) << 8) | (b[portAt + 1] & 0xFF);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
    }

    private static ProxyHeader decodeV1(byte[] b, int length) throws ProxyHeaderException {
        String line = new String(b, 0, length - 2, StandardCharsets.US_ASCII);
        String[] fields = line.split(" ", -1);
        String protocol = fields[1];
        if (protocol.equals("UNKNOWN")) {
            return new ProxyHeader(1, null, null); // the rest of the line is to be ignored
        }
        boolean v4 = protocol.equals("TCP4");
        if (!v4 && !protocol.equals("TCP6")) {
            throw new ProxyHeaderException("PROXY protocol v1 line with the unknown protocol '" + protocol + "'");
        }
        if (fields.length != 6) {
            throw new ProxyHeaderException("PROXY protocol v1 line with " + fields.length
                    + " fields, not 6: '" + line + "'");
        }
        InetAddress source = literal(fields[2], v4, "source");
        InetAddress destination = literal(fields[3], v4, "destination");
        return new ProxyHeader(1, new InetSocketAddress(source, port(fields[4], "source")),
                new InetSocketAddress(destination, port(fields[5], "destination")));
    }

    private static InetAddress literal(String text, boolean v4, String which) throws ProxyHeaderException {
        boolean valid = v4 ? NetUtil.isValidIpV4Address(text) : NetUtil.isValidIpV6Address(text);
        byte[] raw = valid ? NetUtil.createByteArrayFromIpAddressString(text) : null;
        if (raw == null) {
            throw new ProxyHeaderException("PROXY protocol v1 line with the " + which + " address '" + text
                    + "', not an " + (v4 ? "IPv4" : "IPv6") + " literal");
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
    }

    private static int port(String text, String which) throws ProxyHeaderException {
        int n = text.length();
        boolean digits = n >= 1 && n <= 5;
        for (int i = 0; digits && i < n; i++) {
            char c = text.charAt(i);
            digits = c >= '0' && c <= '9';
        }
        int port = digits ? Integer.parseInt(text) : -1;
        if (port < 0 || port > 0xFFFF) {
            throw new ProxyHeaderException("PROXY protocol v1 line with the " + which + " port '" + text + "'");
        }
        return port;
    }

    /** The bytes as text where they are printable ASCII, else as hex: for a log line about a client's bytes. */
    private static String printable(byte[] b, int n) {
        StringBuilder text = new StringBuilder(n * 2 + 2);
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = b[i] >= 0x20 && b[i] <= 0x7E;
        }
        if (ascii) {
            return text.append('"').append(new String(b, 0, n, StandardCharsets.US_ASCII)).append('"').toString();
        }
        text.append("0x");
        for (int i = 0; i < n; i++) {
            text.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        return text.toString();
    }
}
