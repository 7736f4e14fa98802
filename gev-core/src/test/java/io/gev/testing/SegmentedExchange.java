package io.gev.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Byte-stream conversations for clients on a {@link SegmentedSocket}: scripts of what a client
 * sends, made from seeded-random messages, with the exact bytes it must get back, and the runs
 * that check them over plain TCP and TLS.
 */
public final class SegmentedExchange {

    private SegmentedExchange() {
    }

    /** How much a script sends. */
    public enum Size {
        /** Tens of kilobytes in many messages, for cuts of up to 3,000 bytes. */
        LONG,
        /** A few hundred bytes at most, for byte-by-byte delivery. */
        SHORT
    }

    /** What a client sends and the bytes it must receive in return, in order. */
    public record Script(byte[] request, byte[] reply, int messages) {
    }

    /** Raw echo: random bytes, some of them runs of one value, that come back as they were. */
    public static Script echo(Random random, Size size) {
        int length = size == Size.LONG ? 20_000 + random.nextInt(60_000) : 100 + random.nextInt(200);
        byte[] data = new byte[length];
        random.nextBytes(data);
        for (int i = 0; i < 5; i++) {
            int from = random.nextInt(length);
            Arrays.fill(data, from, Math.min(length, from + random.nextInt(2000)), (byte) random.nextInt(256));
        }
        return new Script(data, data, 1);
    }

    /**
     * Frames of a 4-byte big-endian length and a UTF-8 payload, each answered by a frame holding
     * {@code reply.apply(its index on the connection, its payload)}.
     */
    public static Script lengthField(Random random, Size size, BiFunction<Integer, byte[], byte[]> reply) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        int messages = messages(random, size);
        for (int i = 0; i < messages; i++) {
            byte[] payload = text(random, payloadSize(random, size)).getBytes(StandardCharsets.UTF_8);
            request.writeBytes(ByteBuffer.allocate(4).putInt(payload.length).array());
            request.writeBytes(payload);
            byte[] answer = reply.apply(i, payload);
            replies.writeBytes(ByteBuffer.allocate(4).putInt(answer.length).array());
            replies.writeBytes(answer);
        }
        return new Script(request.toByteArray(), replies.toByteArray(), messages);
    }

    /**
     * Lines ending with {@code delimiter} (lone {@code \r} and {@code \n} inside them, never
     * {@code \r\n}; some empty), each answered by {@code reply.apply(index, line)} and the
     * delimiter.
     */
    public static Script lines(Random random, Size size, String delimiter,
                               BiFunction<Integer, byte[], byte[]> reply) {
        if (!delimiter.equals("\r\n")) {
            throw new IllegalArgumentException("lines are made for \\r\\n only: " + delimiter);
        }
        byte[] end = delimiter.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        int messages = messages(random, size);
        for (int i = 0; i < messages; i++) {
            byte[] line = text(random, payloadSize(random, size)).replace("\r\n", "\rx").getBytes(StandardCharsets.UTF_8);
            request.writeBytes(line);
            request.writeBytes(end);
            replies.writeBytes(reply.apply(i, line));
            replies.writeBytes(end);
        }
        return new Script(request.toByteArray(), replies.toByteArray(), messages);
    }

    /** The number of messages of a script: 20 to 60, or 4 to 8 when short. */
    public static int messages(Random random, Size size) {
        return size == Size.LONG ? 20 + random.nextInt(41) : 4 + random.nextInt(5);
    }

    /**
     * A payload size: of up to 16 bytes, 300, 3,000 or 20,000 for long scripts (mostly small, so
     * cuts often fall into headers); of up to 32 bytes for short ones.
     */
    public static int payloadSize(Random random, Size size) {
        if (size == Size.SHORT) {
            return random.nextInt(33);
        }
        int kind = random.nextInt(10);
        return random.nextInt(kind < 3 ? 17 : kind < 6 ? 301 : kind < 9 ? 3001 : 20_001);
    }

    /**
     * Random text of about {@code bytes} bytes of UTF-8: mostly ASCII, with lone {@code \r} and
     * {@code \n}, and two-, three- and four-byte characters, so that cuts fall inside them.
     */
    public static String text(Random random, int bytes) {
        StringBuilder text = new StringBuilder();
        int length = 0;
        while (length < bytes) {
            int kind = random.nextInt(20);
            if (kind < 13) {
                text.append((char) (' ' + random.nextInt(95)));
                length += 1;
            } else if (kind == 13) {
                text.append(random.nextBoolean() ? '\r' : '\n');
                length += 1;
            } else if (kind < 16) {
                text.append((char) (0x80 + random.nextInt(0x780)));
                length += 2;
            } else if (kind < 19) {
                // The BMP above U+0800, without surrogates.
                int c = 0x800 + random.nextInt(0xD800 - 0x800 + 0x10000 - 0xE000);
                text.append((char) (c < 0xD800 ? c : c + 0x800));
                length += 3;
            } else {
                text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                length += 4;
            }
        }
        return text.toString();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * Runs {@code script} over a plain socket: writes its request on a thread of its own (the
     * socket cuts it) and then ends its output, while this thread reads exactly the reply
     * expected and then the end of the stream.
     *
     * @param label names the conversation, its seed included, in failure messages
     */
    public static void run(Socket socket, Script script, String label) throws Exception {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        CompletableFuture<Void> writing = startWriter(label, () -> {
            out.write(script.request());
            socket.shutdownOutput();
        });
        readExpected(in, script.reply(), label);
        expectEnd(in, label);
        awaitWriter(writing, label);
    }

    /**
     * Runs an echo of {@code data} over TLS: writes it in records of random sizes (the socket
     * under {@code client} cuts them), in batches of up to 16 KiB whose echo it reads before the
     * next, then sends {@code close_notify} and expects the server's {@code close_notify} with
     * nothing before it, then the end of the TCP stream.
     */
    public static void runTlsEcho(TlsTestClient client, byte[] data, Random random, String label) throws IOException {
        int sent = 0;
        while (sent < data.length) {
            int batchEnd = Math.min(data.length, sent + 1 + random.nextInt(16 * 1024));
            int from = sent;
            while (sent < batchEnd) {
                int record = Math.min(batchEnd - sent, 1 + random.nextInt(random.nextBoolean() ? 64 : 8192));
                client.write(Arrays.copyOfRange(data, sent, sent + record));
                sent += record;
            }
            byte[] echo;
            try {
                echo = client.readExactly(batchEnd - from);
            } catch (IOException e) {
                throw new AssertionError(label + ": reading the echo of bytes " + from + " to " + batchEnd
                        + " of " + data.length + ": " + e, e);
            }
            compare(Arrays.copyOfRange(data, from, batchEnd), echo, from, label);
        }
        client.sendCloseNotify();
        try {
            client.awaitCloseNotify();
        } catch (IOException e) {
            throw new AssertionError(label + ": no clean TLS end after " + data.length + " echoed bytes: " + e, e);
        }
        if (!client.awaitTcpClosed()) {
            throw new AssertionError(label + ": the TCP connection stayed open after close_notify");
        }
    }

    /** Reads exactly {@code expected}, failing at the first byte that differs, at an early end or a silence of 10 s. */
    public static void readExpected(InputStream in, byte[] expected, String label) throws IOException {
        byte[] buffer = new byte[8192];
        int offset = 0;
        while (offset < expected.length) {
            int n;
            try {
                n = in.read(buffer, 0, Math.min(buffer.length, expected.length - offset));
            } catch (SocketTimeoutException e) {
                throw new AssertionError(label + ": " + offset + " of " + expected.length
                        + " reply bytes, then nothing for " + TestClient.TIMEOUT_MILLIS + " ms", e);
            } catch (IOException e) {
                throw new AssertionError(label + ": " + offset + " of " + expected.length + " reply bytes, then " + e, e);
            }
            if (n < 0) {
                throw new AssertionError(label + ": the stream ended after " + offset + " of " + expected.length
                        + " reply bytes");
            }
            compare(Arrays.copyOfRange(expected, offset, offset + n), Arrays.copyOf(buffer, n), offset, label);
            offset += n;
        }
    }

    /** Expects the end of the stream next: neither more bytes, nor a reset, nor a silence of 10 s. */
    public static void expectEnd(InputStream in, String label) throws IOException {
        int next;
        try {
            next = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError(label + ": no end of stream within " + TestClient.TIMEOUT_MILLIS
                    + " ms of the last reply", e);
        } catch (IOException e) {
            throw new AssertionError(label + ": the connection failed instead of ending: " + e, e);
        }
        if (next >= 0) {
            byte[] more = in.readNBytes(64);
            throw new AssertionError(label + ": bytes after the last reply: "
                    + HexFormat.of().formatHex(concat(new byte[] {(byte) next}, more)));
        }
    }

    /** What a writer thread does; whatever it throws fails the conversation. */
    @FunctionalInterface
    public interface Writing {
        void write() throws Exception;
    }

    /**
     * Starts a daemon thread, "writer of {@code label}", that does {@code writing}; the future
     * completes when it is done, exceptionally with what it threw (see {@link #awaitWriter}).
     */
    public static CompletableFuture<Void> startWriter(String label, Writing writing) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                writing.write();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "writer of " + label);
        writer.setDaemon(true);
        writer.start();
        return done;
    }

    /** Waits for a writer thread and turns its failure into the test's. */
    public static void awaitWriter(CompletableFuture<?> writing, String label) throws InterruptedException {
        try {
            writing.get(TestClient.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(label + ": writing failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(label + ": the writer is still writing after the last reply", e);
        }
    }

    /** Fails at the first byte where {@code got} differs from {@code expected}, both at stream offset {@code at}. */
    private static void compare(byte[] expected, byte[] got, long at, String label) {
        for (int i = 0; i < expected.length; i++) {
            if (got[i] != expected[i]) {
                int from = Math.max(0, i - 16);
                throw new AssertionError(label + ": reply byte " + (at + i) + " differs; from byte " + (at + from)
                        + " on, expected " + hex(expected, from) + " but got " + hex(got, from));
            }
        }
    }

    private static String hex(byte[] bytes, int from) {
        return HexFormat.of().formatHex(bytes, from, Math.min(bytes.length, from + 32));
    }
}
