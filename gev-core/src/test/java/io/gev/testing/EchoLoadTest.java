package io.gev.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EchoLoad} must tell a broken echo server from a correct one. Plain java.net servers, no gev. */
class EchoLoadTest {

    private static final long SEED = 20240611L;

    @Test
    @Timeout(30)
    void correctEchoServerPasses() throws Exception {
        try (PlainEchoServer server = new PlainEchoServer(Mangler.NONE)) {
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(50).rounds(10).seed(SEED)
                    .timeout(Duration.ofSeconds(20)).run();
            System.out.println("correct server: " + result);
            assertTrue(result.ok(), result.toString());
            assertEquals(0, result.errors(), result.toString());
            assertEquals(500, result.messages(), result.toString());
            assertEquals(result.bytesSent(), result.bytesVerified(), result.toString());
            assertTrue(result.bytesVerified() > 1_000_000, "the mix should include large messages: " + result);
        }
    }

    @Test
    @Timeout(30)
    void flippedByteIsDetected() throws Exception {
        // Flips one bit of the byte at stream offset 100 of every connection.
        Mangler flip = (offset, buf, n) -> {
            if (offset <= 100 && 100 < offset + n) {
                buf[(int) (100 - offset)] ^= 0x10;
            }
            return n;
        };
        try (PlainEchoServer server = new PlainEchoServer(flip)) {
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(8).rounds(20).seed(SEED)
                    .timeout(Duration.ofSeconds(10)).run();
            System.out.println("flipping server: " + result);
            assertFalse(result.ok(), result.toString());
            assertEquals(8, result.errors(), "every connection passes offset 100: " + result);
            assertFalse(result.timedOut(), result.toString());
            String first = result.firstError();
            assertTrue(first.matches(".*byte at offset \\d+ expected 0x([0-9a-f]{2}) but was 0x[0-9a-f]{2}.*"), first);
            // The two bytes differ in exactly the flipped bit.
            int expected = Integer.parseInt(first.replaceAll(".*expected 0x([0-9a-f]{2}).*", "$1"), 16);
            int actual = Integer.parseInt(first.replaceAll(".*but was 0x([0-9a-f]{2}).*", "$1"), 16);
            assertEquals(0x10, expected ^ actual, first);
        }
    }

    @Test
    @Timeout(30)
    void droppedByteIsDetected() throws Exception {
        // Drops the byte at stream offset 100 of every connection.
        Mangler drop = (offset, buf, n) -> {
            if (offset <= 100 && 100 < offset + n) {
                int i = (int) (100 - offset);
                System.arraycopy(buf, i + 1, buf, i, n - i - 1);
                return n - 1;
            }
            return n;
        };
        try (PlainEchoServer server = new PlainEchoServer(drop)) {
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(8).rounds(20).seed(SEED)
                    .timeout(Duration.ofSeconds(5)).run();
            System.out.println("dropping server: " + result);
            assertFalse(result.ok(), result.toString());
            // Either the shifted bytes mismatch or, if the last byte of a message was dropped, the
            // connection waits for it until the timeout: both are errors of that connection.
            assertEquals(8, result.errors(), result.toString());
            assertTrue(result.messages() < result.expectedMessages(), result.toString());
        }
    }

    @Test
    @Timeout(30)
    void duplicatedBytesAreDetected() throws Exception {
        // Sends the first chunk of each connection twice.
        Mangler twice = new Mangler() {
            @Override
            public int mangle(long offset, byte[] buf, int n) {
                if (offset == 0) {
                    System.arraycopy(buf, 0, buf, n, n);
                    return 2 * n;
                }
                return n;
            }
        };
        try (PlainEchoServer server = new PlainEchoServer(twice)) {
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(8).rounds(5).seed(SEED)
                    .timeout(Duration.ofSeconds(10)).run();
            System.out.println("duplicating server: " + result);
            assertFalse(result.ok(), result.toString());
            assertEquals(8, result.errors(), result.toString());
            assertFalse(result.timedOut(), result.toString());
        }
    }

    @Test
    @Timeout(30)
    void serverThatNeverAnswersTimesOut() throws Exception {
        Mangler swallow = (offset, buf, n) -> 0;
        try (PlainEchoServer server = new PlainEchoServer(swallow)) {
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(4).rounds(2).seed(SEED)
                    .timeout(Duration.ofMillis(500)).run();
            System.out.println("silent server: " + result);
            assertTrue(result.timedOut(), result.toString());
            assertEquals(4, result.errors(), result.toString());
            assertTrue(result.firstError().contains("round 0"), result.firstError());
        }
    }

    /** Changes the bytes a server echoes: returns how many of {@code buf} to send back. */
    @FunctionalInterface
    interface Mangler {
        Mangler NONE = (offset, buf, n) -> n;

        /**
         * @param offset stream offset of {@code buf[0]} on this connection
         * @param buf the bytes read, with room for as many again after them
         * @param n bytes read
         */
        int mangle(long offset, byte[] buf, int n);
    }

    /** A thread-per-connection blocking echo server on 127.0.0.1 that runs its echo through a Mangler. */
    static final class PlainEchoServer implements AutoCloseable {
        private static final int CHUNK = 32 * 1024;

        private final ServerSocket listener;
        private final Mangler mangler;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        PlainEchoServer(Mangler mangler) throws IOException {
            this.mangler = mangler;
            this.listener = new ServerSocket(0, 1024, InetAddress.getByName("127.0.0.1"));
            this.acceptor = new Thread(this::acceptLoop, "plain-echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    socket.setTcpNoDelay(true);
                    sockets.add(socket);
                    Thread t = new Thread(() -> echo(socket), "plain-echo-" + socket.getPort());
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket socket) {
            byte[] buf = new byte[2 * CHUNK];
            long offset = 0;
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                int n;
                while ((n = in.read(buf, 0, CHUNK)) > 0) {
                    int m = mangler.mangle(offset, buf, n);
                    offset += n;
                    out.write(buf, 0, m);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // The client went away.
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
            try {
                acceptor.join(5_000);
                for (Thread t : threads) {
                    t.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
