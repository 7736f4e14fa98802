package io.gev.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * PROXY protocol headers as a balancer sends them (HAProxy's spec), written out byte by byte
 * from the spec's tables, for tests of the server's decoder: it shares no code with it.
 */
public final class ProxyHeaders {

    /** v2's signature: CR LF CR LF NUL CR LF "QUIT" LF. */
    public static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaders() {
    }

    /** {@code PROXY TCP4|TCP6 src dst sport dport\r\n}, the family from the source's address. */
    public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
        String family = source.getAddress().getAddress().length == 4 ? "TCP4" : "TCP6";
        return line("PROXY " + family + " " + source.getAddress().getHostAddress() + " "
                + destination.getAddress().getHostAddress() + " " + source.getPort() + " " + destination.getPort());
    }

    /** A v1 line of the text given, with CRLF appended. */
    public static byte[] line(String text) {
        return (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 {@code PROXY} header of a TCP connection from {@code source} to {@code destination}, then {@code tlvs}. */
    public static byte[] v2(InetSocketAddress source, InetSocketAddress destination, byte[] tlvs) {
        byte[] src = source.getAddress().getAddress();
        byte[] dst = destination.getAddress().getAddress();
        ByteArrayOutputStream addresses = new ByteArrayOutputStream();
        addresses.writeBytes(src);
        addresses.writeBytes(dst);
        writeShort(addresses, source.getPort());
        writeShort(addresses, destination.getPort());
        addresses.writeBytes(tlvs);
        return v2(0x21, src.length == 4 ? 0x11 : 0x21, addresses.toByteArray());
    }

    /** A v2 {@code LOCAL} header (a balancer's health check) with no addresses. */
    public static byte[] v2Local() {
        return v2(0x20, 0x00, new byte[0]);
    }

    /** A v2 header of the version-and-command and family-and-transport bytes given, then {@code body}. */
    public static byte[] v2(int versionCommand, int familyTransport, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(versionCommand);
        out.write(familyTransport);
        writeShort(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A TLV of {@code type} holding {@code length} bytes of padding (type 0x04, PP2_TYPE_NOOP, is ignored by receivers). */
    public static byte[] tlv(int type, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        writeShort(out, length);
        out.writeBytes(new byte[length]);
        return out.toByteArray();
    }

    /** {@code a} followed by {@code b}. */
    public static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }
}
