package io.gev.websocket;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The UTF-8 decoder test sequences of Markus Kuhn's UTF-8-test.txt as the Autobahn TestSuite
 * groups them in its cases 6.5 to 6.23, in the same order: each group's name and its byte
 * sequences. Whether a sequence is valid is left to {@link WsWire#isValidUtf8}.
 */
final class Utf8Sequences {

    /** {name, List<byte[]>} per group. */
    static final List<Object[]> GROUPS = groups();

    private Utf8Sequences() {
    }

    private static byte[] h(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static List<byte[]> hs(String... hex) {
        List<byte[]> l = new ArrayList<>();
        for (String x : hex) {
            l.add(h(x));
        }
        return l;
    }

    private static List<Object[]> groups() {
        List<Object[]> g = new ArrayList<>();
        byte[] kosme = h("cebae1bdb9cf83cebcceb5");
        g.add(new Object[]{"some valid UTF-8", hs("68656c6c6f24776f726c64", "68656c6c6fc2a2776f726c64",
                "68656c6c6fe282ac776f726c64", "68656c6c6ff0a4ada2776f726c64", "cebae1bdb9cf83cebcceb5")});
        List<byte[]> prefixes = new ArrayList<>();
        for (int i = 1; i <= kosme.length; i++) {
            prefixes.add(java.util.Arrays.copyOf(kosme, i));
        }
        g.add(new Object[]{"every prefix of a valid multi-byte string", prefixes});
        g.add(new Object[]{"first possible sequence of each length", hs("00", "c280", "e0a080", "f0908080")});
        g.add(new Object[]{"first possible 5- and 6-byte sequences", hs("f888808080", "fc8480808080")});
        g.add(new Object[]{"last possible sequence of each length", hs("7f", "dfbf", "efbfbf", "f48fbfbf")});
        g.add(new Object[]{"last possible 4-, 5- and 6-byte sequences beyond U+10FFFF",
                hs("f7bfbfbf", "fbbfbfbfbf", "fdbfbfbfbfbf")});
        g.add(new Object[]{"other boundary conditions", hs("ed9fbf", "ee8080", "efbfbd", "f48fbfbf", "f4908080")});
        List<byte[]> continuation = hs("80", "bf", "80bf", "80bf80", "80bf80bf", "80bf80bf80", "80bf80bf80bf");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int b = 0x80; b < 0xBF; b++) {
            all.write(b);
        }
        continuation.add(all.toByteArray());
        g.add(new Object[]{"unexpected continuation bytes", continuation});
        List<byte[]> lonely = new ArrayList<>();
        for (int[] range : new int[][]{{0xC0, 0xDF}, {0xE0, 0xEF}, {0xF0, 0xF7}, {0xF8, 0xFB}, {0xFC, 0xFD}}) {
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            for (int b = range[0]; b < range[1]; b++) {
                s.write(b);
                s.write(0x20);
            }
            lonely.add(s.toByteArray());
        }
        g.add(new Object[]{"lonely start bytes, each followed by a space", lonely});
        String[] missing = {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"};
        g.add(new Object[]{"sequences with the last continuation byte missing", hs(missing)});
        g.add(new Object[]{"all of those concatenated", hs(String.join("", missing))});
        g.add(new Object[]{"impossible bytes", hs("fe", "ff", "fefeffff")});
        g.add(new Object[]{"overlong forms of '/'", hs("c0af", "e080af", "f08080af", "f8808080af", "fc80808080af")});
        g.add(new Object[]{"maximum overlong sequences", hs("c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf")});
        g.add(new Object[]{"overlong forms of NUL", hs("c080", "e08080", "f0808080", "f880808080", "fc8080808080")});
        g.add(new Object[]{"single UTF-16 surrogates", hs("eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf")});
        g.add(new Object[]{"paired UTF-16 surrogates", hs("eda080edb080", "eda080edbfbf", "edadbfedb080", "edadbfedbfbf",
                "edae80edb080", "edae80edbfbf", "edafbfedb080", "edafbfedbfbf")});
        List<byte[]> nonCharacters = hs("efbfbe", "efbfbf");
        for (int z1 = 0xF0; z1 <= 0xF4; z1++) {
            for (int z2 : new int[]{0x8F, 0x9F, 0xAF, 0xBF}) {
                if (z1 == 0xF4 && z2 != 0x8F) {
                    continue; // beyond U+10FFFF
                }
                if (z1 == 0xF0 && z2 == 0x8F) {
                    continue; // overlong
                }
                for (int z3 : new int[]{0xBE, 0xBF}) {
                    nonCharacters.add(new byte[]{(byte) z1, (byte) z2, (byte) 0xBF, (byte) z3});
                }
            }
        }
        g.add(new Object[]{"non-characters (valid UTF-8)", nonCharacters});
        g.add(new Object[]{"Unicode specials (valid)", hs("efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd", "efbfbe", "efbfbf")});
        return g;
    }
}
