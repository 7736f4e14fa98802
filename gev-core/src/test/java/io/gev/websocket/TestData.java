package io.gev.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Stand-ins for the Autobahn TestSuite's compression test files, generated from fixed seeds so
 * that every run sends the same bytes: prose, JSON and HTML (ASCII, so any slice is valid text),
 * a bitmap and a PDF-like mix whose streams do not compress.
 */
final class TestData {

    static final int SIZE = 256 * 1024;

    private static final String[] WORDS = {"der", "die", "und", "Faust", "Mephistopheles", "Gretchen", "ich", "nicht",
            "das", "ist", "zu", "mit", "sich", "des", "auf", "f\u00fcr", "Geist", "Welt", "Himmel", "Erde", "Teufel",
            "Liebe", "Seele", "Zeit", "Wissenschaft", "Natur", "Nacht", "Sch\u00fcler", "K\u00f6nig", "Stra\u00dfe",
            "\u00c4rger", "\u00dcbermut", "habe", "nun", "ach", "Philosophie", "Juristerei", "Medizin", "leider",
            "auch", "Theologie", "durchaus", "studiert", "mit", "hei\u00dfem", "Bem\u00fchn"};

    static final byte[] GERMAN = german();
    static final byte[] BITMAP = bitmap();
    static final byte[] PDF = pdf();
    static final byte[] JSON = json();
    static final byte[] HTML = html();

    private TestData() {
    }

    private static byte[] german() {
        Random r = new Random(1201);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < SIZE) {
            int words = 3 + r.nextInt(12);
            for (int i = 0; i < words; i++) {
                sb.append(WORDS[r.nextInt(WORDS.length)]).append(i == words - 1 ? "" : " ");
            }
            sb.append(r.nextInt(4) == 0 ? ".\n" : ", ");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bitmap() {
        Random r = new Random(1202);
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + 1078);
        out.writeBytes("BM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[1076]); // header and palette, zeros
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                // A smooth picture with some grain, as a photograph is.
                double v = 128 + 60 * Math.sin(x / 37.0) * Math.cos(y / 23.0) + 30 * Math.sin((x + y) / 71.0);
                out.write((int) Math.max(0, Math.min(255, v + r.nextInt(9) - 4)));
            }
        }
        return out.toByteArray();
    }

    private static byte[] pdf() {
        Random r = new Random(1203);
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE);
        out.writeBytes("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        int object = 1;
        while (out.size() < SIZE) {
            int length = 200 + r.nextInt(6000);
            String head = object++ + " 0 obj\n<< /Length " + length + " /Filter /FlateDecode >>\nstream\n";
            out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            byte[] stream = new byte[length];
            r.nextBytes(stream);
            out.writeBytes(stream);
            out.writeBytes("\nendstream\nendobj\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static byte[] json() {
        Random r = new Random(1204);
        StringBuilder sb = new StringBuilder("[");
        String[] names = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};
        for (int i = 0; sb.length() < SIZE; i++) {
            sb.append(i == 0 ? "" : ",").append("\n  {\"id\": ").append(i)
                    .append(", \"name\": \"").append(names[r.nextInt(names.length)]).append('-').append(r.nextInt(1000))
                    .append("\", \"active\": ").append(r.nextBoolean())
                    .append(", \"score\": ").append(r.nextInt(100_000) / 100.0)
                    .append(", \"tags\": [\"").append(names[r.nextInt(names.length)]).append("\", \"")
                    .append(names[r.nextInt(names.length)]).append("\"]}");
        }
        return sb.append("\n]\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] html() {
        Random r = new Random(1205);
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><title>gev</title></head><body>\n");
        String[] tags = {"p", "div", "span", "li", "td", "em"};
        String[] plain = new String[WORDS.length];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = WORDS[i].replaceAll("[^a-zA-Z]", "e");
        }
        while (sb.length() < SIZE) {
            String tag = tags[r.nextInt(tags.length)];
            sb.append('<').append(tag).append(" class=\"c").append(r.nextInt(20)).append("\">");
            int words = 2 + r.nextInt(20);
            for (int i = 0; i < words; i++) {
                sb.append(plain[r.nextInt(plain.length)]).append(' ');
            }
            sb.append("</").append(tag).append(">\n");
        }
        return sb.append("</body></html>\n").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
