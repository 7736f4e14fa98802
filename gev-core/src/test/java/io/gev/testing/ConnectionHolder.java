package io.gev.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The program {@link HeldConnections} runs in a child JVM: it opens many connections, sends each
 * an optional first chunk (optionally followed by a half-close), then holds them without ever
 * sending again. It reads and drops whatever the server sends and counts the connections the
 * server closed, closing its own end of those. A child process has a descriptor table of its own,
 * so the server under test can hold ten thousand connections whose clients are not in its JVM.
 *
 * <p>Arguments: {@code maxSeconds} then groups {@code port:count:mode[:payloadHex]}, with mode
 * {@code idle}, {@code partial} (send the payload, then nothing) or {@code halfclose} (send the
 * payload and shut down output). Targets are 127.0.0.1. Standard input takes {@code status}
 * (answered with a {@code STATUS open=N closed=N failed=N} line) and {@code exit}; end of input
 * and {@code maxSeconds} end the program too. Once every connect finished it prints
 * {@code READY connected=N failed=N}. With {@code -Dgev.holder.gate=true} it connects only after
 * reading a {@code go} line.
 */
public final class ConnectionHolder {

    private static final int IN_FLIGHT = 512;

    private static volatile int open;
    private static volatile int closed;
    private static volatile int failed;
    private static final CountDownLatch GO = new CountDownLatch(Boolean.getBoolean("gev.holder.gate") ? 1 : 0);

    private ConnectionHolder() {
    }

    private static final class Target {
        final InetSocketAddress address;
        final byte[] payload;
        final boolean halfClose;

        Target(int port, byte[] payload, boolean halfClose) {
            this.address = new InetSocketAddress("127.0.0.1", port);
            this.payload = payload;
            this.halfClose = halfClose;
        }
    }

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
        List<Target> targets = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] parts = args[i].split(":");
            int count = Integer.parseInt(parts[1]);
            byte[] payload = parts.length > 3 ? HexFormat.of().parseHex(parts[3]) : new byte[0];
            Target target = new Target(Integer.parseInt(parts[0]), payload, parts[2].equals("halfclose"));
            for (int k = 0; k < count; k++) {
                targets.add(target);
            }
        }
        Thread commands = new Thread(ConnectionHolder::commands, "holder-commands");
        commands.setDaemon(true);
        commands.start();
        GO.await();

        Selector selector = Selector.open();
        ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
        int next = 0;
        int connecting = 0;
        boolean ready = false;
        while (System.nanoTime() < deadline) {
            while (next < targets.size() && connecting < IN_FLIGHT) {
                Target target = targets.get(next++);
                try {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    if (channel.connect(target.address)) {
                        opened(channel, selector, target);
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT, target);
                        connecting++;
                    }
                } catch (IOException e) {
                    failed++;
                }
            }
            if (!ready && next == targets.size() && connecting == 0) {
                ready = true;
                System.out.println("READY connected=" + (open + closed) + " failed=" + failed);
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel channel = (SocketChannel) key.channel();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isConnectable()) {
                    connecting--;
                    try {
                        channel.finishConnect();
                        opened(channel, selector, (Target) key.attachment());
                    } catch (IOException e) {
                        failed++;
                        key.cancel();
                        channel.close();
                    }
                } else if (key.isReadable()) {
                    drain(key, channel, sink);
                }
            }
            selector.selectedKeys().clear();
        }
        System.exit(0);
    }

    private static void opened(SocketChannel channel, Selector selector, Target target) throws IOException {
        if (target.payload.length > 0) {
            channel.write(ByteBuffer.wrap(target.payload));
        }
        if (target.halfClose) {
            channel.shutdownOutput();
        }
        channel.register(selector, SelectionKey.OP_READ);
        open++;
    }

    private static void drain(SelectionKey key, SocketChannel channel, ByteBuffer sink) throws IOException {
        int n;
        try {
            do {
                sink.clear();
                n = channel.read(sink);
            } while (n > 0);
        } catch (IOException e) {
            n = -1; // a reset: closed all the same
        }
        if (n < 0) {
            key.cancel();
            channel.close();
            open--;
            closed++;
        }
    }

    private static void commands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("status")) {
                    System.out.println("STATUS open=" + open + " closed=" + closed + " failed=" + failed);
                } else if (line.equals("go")) {
                    GO.countDown();
                } else if (line.equals("exit")) {
                    break;
                }
            }
        } catch (IOException ignored) {
            // The parent went away: leave.
        }
        System.exit(0);
    }
}
