package io.gev.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Random;

/**
 * Mode {@code udp}: C datagram sockets per server (each its own source port), each keeping K
 * datagrams of M bytes in flight and sending the next as soon as one echo is back; every echoed
 * byte is verified.
 *
 * <p>Datagram {@code s} of a socket carries {@code s} in its first 8 bytes, then M - 8 bytes of a
 * seeded random pattern starting at {@code (7 s) mod 4096}: an echo that is cut, corrupted, not
 * one of the socket's datagrams in flight, or mixed up with another socket's is an error. UDP may
 * lose datagrams: one not echoed within {@value #LOSS_MILLIS} ms is counted as an error (a lost
 * echo) and its place in flight is refilled. With two servers they take turns in slices, as in
 * {@link StreamLoad}.
 */
final class UdpLoad extends LoadRun {

    static final int SPAN = 4096;
    static final long LOSS_MILLIS = 1000;

    private final int size;
    private final int inFlight;
    private final byte[] pattern;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] readBytes = new byte[64 * 1024];
    private final ByteBuffer sendBuffer;
    private final Target[] targets;
    private long lastLossScan;

    private final class Target {
        final Meter meter;
        final Slot[] slots;
        boolean sending;

        Target(int server) throws IOException {
            this.meter = meters[server];
            this.slots = new Slot[options.connections];
            for (int i = 0; i < slots.length; i++) {
                // UDP targets are ports: LoadOptions gives a socket file to stream modes only.
                slots[i] = new Slot(this, (InetSocketAddress) addresses[server]);
            }
        }

        boolean drained() {
            for (Slot s : slots) {
                if (s.outstanding > 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private final class Slot {
        final Target target;
        final DatagramChannel channel;
        final long[] seqs = new long[inFlight];
        final long[] times = new long[inFlight];
        final boolean[] busy = new boolean[inFlight];
        int outstanding;
        long nextSeq;

        Slot(Target target, InetSocketAddress server) throws IOException {
            this.target = target;
            this.channel = DatagramChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.bind(new InetSocketAddress(options.host, 0));
            channel.connect(server);
            channel.register(selector, SelectionKey.OP_READ, this);
        }
    }

    UdpLoad(LoadOptions options) throws IOException {
        super(options);
        this.size = options.messageSize;
        this.inFlight = options.inFlight;
        this.pattern = new byte[SPAN + size];
        new Random(options.seed).nextBytes(pattern);
        this.sendBuffer = ByteBuffer.allocateDirect(size);
        this.targets = new Target[meters.length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = new Target(i);
        }
    }

    Report[] run() throws IOException {
        return measure(size);
    }

    private void send(Slot slot, int index, long time) {
        long seq = slot.nextSeq++;
        sendBuffer.clear();
        sendBuffer.putLong(seq);
        sendBuffer.put(pattern, (int) (seq * 7 % SPAN), size - 8);
        sendBuffer.flip();
        try {
            if (slot.channel.write(sendBuffer) == 0) {
                error("the socket's send buffer was full");
                return;
            }
        } catch (IOException e) {
            error("send: " + e);
            return;
        }
        slot.seqs[index] = seq;
        slot.times[index] = time;
        slot.busy[index] = true;
        slot.outstanding++;
    }

    @Override
    void onKey(SelectionKey key) {
        Slot slot = (Slot) key.attachment();
        try {
            while (true) {
                readBuffer.clear();
                int n = slot.channel.read(readBuffer);
                if (n <= 0) {
                    break;
                }
                received(slot, n);
            }
        } catch (IOException e) {
            error("receive: " + e);
        }
    }

    private void received(Slot slot, int n) {
        if (n != size) {
            error("an echo of " + n + " bytes, expected " + size);
            return;
        }
        readBuffer.flip();
        readBuffer.get(readBytes, 0, n);
        long seq = ByteBuffer.wrap(readBytes, 0, 8).getLong();
        int index = -1;
        for (int i = 0; i < inFlight; i++) {
            if (slot.busy[i] && slot.seqs[i] == seq) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return; // the late echo of one already counted lost
        }
        int from = (int) (seq * 7 % SPAN);
        for (int i = 8; i < n; i++) {
            if (readBytes[i] != pattern[from + i - 8]) {
                error("echo of datagram " + seq + " differs at byte " + i);
                break;
            }
        }
        slot.busy[index] = false;
        slot.outstanding--;
        slot.target.meter.completed(now - slot.times[index]);
        if (slot.target.sending) {
            send(slot, index, now);
        }
    }

    private void scanForLosses() {
        long limit = LOSS_MILLIS * 1_000_000L;
        for (Target t : targets) {
            for (Slot s : t.slots) {
                for (int i = 0; i < inFlight; i++) {
                    if (s.busy[i] && now - s.times[i] > limit) {
                        error("datagram " + s.seqs[i] + " not echoed within " + LOSS_MILLIS + " ms");
                        s.busy[i] = false;
                        s.outstanding--;
                        if (t.sending) {
                            send(s, i, now);
                        }
                    }
                }
            }
        }
    }

    @Override
    void poll(long millis) throws IOException {
        super.poll(millis);
        if (now - lastLossScan > 100_000_000L) {
            lastLossScan = now;
            scanForLosses();
        }
    }

    @Override
    void startLoad(int server, long time) {
        Target t = targets[server];
        t.sending = true;
        for (Slot s : t.slots) {
            for (int i = 0; i < inFlight; i++) {
                if (!s.busy[i]) {
                    send(s, i, time);
                }
            }
        }
    }

    @Override
    void stopLoad(int server) {
        targets[server].sending = false;
    }

    @Override
    boolean drained(int server) {
        return targets[server].drained();
    }
}
