package io.gev.internal.proxy;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}), or one address
 * ({@code 127.0.0.1}, {@code ::1}). An IPv4 address also matches in its IPv4-mapped IPv6 form, as
 * a dual-stack socket reports it. Immutable.
 */
public final class AddressBlock {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private AddressBlock(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        String address;
        try {
            address = NetUtil.toAddressString(InetAddress.getByAddress(network));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
        this.text = prefix == network.length * 8 ? address : address + "/" + prefix;
    }

    /**
     * Parses {@code address[/prefix]}, an IP literal (never a host name, which is not resolved).
     * Host bits under the prefix are cleared: {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
     *
     * @throws IllegalArgumentException naming {@code text} when it is no such block
     */
    public static AddressBlock parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String literal = slash < 0 ? s : s.substring(0, slash);
        byte[] address = NetUtil.isValidIpV4Address(literal) || NetUtil.isValidIpV6Address(literal)
                ? NetUtil.createByteArrayFromIpAddressString(literal) : null;
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or a CIDR block such as 10.0.0.0/8");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = s.substring(slash + 1);
            prefix = digits.matches("[0-9]{1,3}") ? Integer.parseInt(digits) : -1;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
            }
        }
        for (int i = 0; i < address.length; i++) {
            address[i] &= mask(prefix, i);
        }
        return new AddressBlock(address, prefix);
    }

    /** Whether {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet6Address && network.length == 4 && isIpv4Mapped(raw)) {
            byte[] v4 = new byte[4];
            System.arraycopy(raw, 12, v4, 0, 4);
            raw = v4;
        } else if (address instanceof Inet4Address && network.length == 16) {
            return false;
        }
        if (raw.length != network.length) {
            return false;
        }
        for (int i = 0; i < raw.length; i++) {
            if ((raw[i] & mask(prefix, i)) != network[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte mask(int prefix, int index) {
        int bits = prefix - index * 8;
        return bits >= 8 ? (byte) 0xFF : bits <= 0 ? 0 : (byte) (0xFF << (8 - bits));
    }

    private static boolean isIpv4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xFF && raw[11] == (byte) 0xFF;
    }

    /** The block in canonical form: {@code 10.0.0.0/8}, or the address alone for a single one. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressBlock && ((AddressBlock) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
