package io.gev.udp;

import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clients nobody here wrote: Python's socket module and socat, against the datagram server. */
class DatagramInteropTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String SOCAT = "/usr/bin/socat";

    /**
     * Sends datagrams of 0, 1, 1472 and the limit's bytes, and one over the limit, to the
     * server's port, then one more, and prints what came back for each: the length and whether
     * the bytes were the upper-cased ones sent.
     */
    private static final String CLIENT = String.join("\n",
            "import socket, sys, random",
            "port, limit = int(sys.argv[1]), int(sys.argv[2])",
            "random.seed(1836)",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.settimeout(10)",
            "for n in (0, 1, 1472, limit, limit + 1):",
            "    data = bytes(random.choice(b'abcdefgh') for _ in range(n))",
            "    s.sendto(data, ('127.0.0.1', port))",
            "    if n > limit:",
            "        continue",
            "    reply, sender = s.recvfrom(70000)",
            "    print(n, len(reply), reply == data.upper(), sender[1] == port)",
            "s.sendto(b'last', ('127.0.0.1', port))",
            "print(s.recvfrom(100)[0].decode())",
            "");

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private DatagramServer upperCaseEcho(Transport transport, int limit) {
        DatagramServer server = DatagramServerTest.localServer(transport, (out, sender, payload) -> {
            ByteBuffer reply = ByteBuffer.allocate(payload.remaining());
            while (payload.hasRemaining()) {
                byte b = payload.get();
                reply.put(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
            }
            return reply.flip();
        }).maxDatagramSize(limit).build();
        toClose.add(server);
        server.start();
        return server;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void pythonsUdpSocketGetsRepliesAtAndBelowTheLimitAndNoneAbove(Transport transport) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        int limit = 4000;
        DatagramServer server = upperCaseEcho(transport, limit);
        Process p = new ProcessBuilder(PYTHON, "-c", CLIENT, Integer.toString(server.port()), Integer.toString(limit))
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertEquals(String.join("\n", "0 0 True True", "1 1 True True", "1472 1472 True True",
                limit + " " + limit + " True True", "LAST"), output);
        assertEquals(1, server.stats().droppedOversize());
        assertEquals(5, server.stats().datagramsIn());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void socatSendsALineAndReadsTheReply(Transport transport) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(SOCAT)), "no " + SOCAT);
        DatagramServer server = upperCaseEcho(transport, 2048);
        // -t: after its input ends socat would wait only 0.5 s for the reply; it is ended below.
        Process p = new ProcessBuilder(SOCAT, "-t", "30", "-", "UDP:127.0.0.1:" + server.port())
                .redirectErrorStream(true).start();
        try {
            String expected = "HELLO FROM SOCAT\n";
            try (OutputStream in = p.getOutputStream(); InputStream out = p.getInputStream()) {
                in.write("hello from socat\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                byte[] reply = out.readNBytes(expected.length());
                assertEquals(expected, new String(reply, StandardCharsets.US_ASCII));
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(1, server.stats().datagramsIn());
    }
}
