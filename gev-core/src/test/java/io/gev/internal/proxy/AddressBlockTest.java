package io.gev.internal.proxy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressBlockTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void singleAddressesMatchOnlyThemselves() throws Exception {
        AddressBlock one = AddressBlock.parse("127.0.0.1");
        assertTrue(one.contains(ip("127.0.0.1")));
        assertFalse(one.contains(ip("127.0.0.2")));
        assertTrue(one.contains(ip("::ffff:127.0.0.1")), "IPv4-mapped, as a dual-stack socket reports it");
        assertFalse(one.contains(ip("::1")));
        assertEquals("127.0.0.1", one.toString());
        AddressBlock six = AddressBlock.parse("::1");
        assertTrue(six.contains(ip("::1")));
        assertFalse(six.contains(ip("127.0.0.1")));
    }

    @Test
    void prefixesMatchTheirBlockAndClearHostBits() throws Exception {
        AddressBlock ten = AddressBlock.parse("10.1.2.3/8");
        assertEquals("10.0.0.0/8", ten.toString());
        assertTrue(ten.contains(ip("10.255.255.255")));
        assertFalse(ten.contains(ip("11.0.0.0")));
        AddressBlock odd = AddressBlock.parse("192.168.0.0/23");
        assertTrue(odd.contains(ip("192.168.1.200")));
        assertFalse(odd.contains(ip("192.168.2.0")));
        AddressBlock v6 = AddressBlock.parse("fd00::/8");
        assertTrue(v6.contains(ip("fdab::1")));
        assertFalse(v6.contains(ip("fe80::1")));
        AddressBlock all = AddressBlock.parse("0.0.0.0/0");
        assertTrue(all.contains(ip("8.8.8.8")));
        assertFalse(all.contains(ip("::1")), "an IPv4 block holds no IPv6 address");
    }

    @Test
    void namesAndBadPrefixesAreRefusedByName() {
        for (String bad : new String[] {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressBlock.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
