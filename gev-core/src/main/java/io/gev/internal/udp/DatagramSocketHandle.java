package io.gev.internal.udp;

import io.gev.internal.transport.LoopRegistration;
import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.internal.watchdog.LoopProgress;
import io.gev.udp.DatagramOptions;
import io.gev.udp.DatagramSender;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One bound datagram socket registered on one loop: it reads datagrams in batches into one
 * receive buffer, hands each to its {@link DatagramSink}, and sends, at once from its loop or
 * through a bounded queue from other threads. Subclasses supply the transport's system calls.
 *
 * <p>All fields but the send queue, its counters and the drop counter are confined to the loop.
 */
public abstract class DatagramSocketHandle implements IoHandle, DatagramSender {

    private static final Logger log = LoggerFactory.getLogger(DatagramSocketHandle.class);

    /** Queued sends written per task before the loop polls for I/O again. */
    static final int MAX_QUEUED_SENDS_PER_RUN = 256;

    private final int index;
    private final int maxDatagramSize;
    private final int maxPerRead;
    private final int maxQueuedSends;
    private final DatagramSink sink;
    private final ClientFaultLog sendFaults;
    /**
     * One byte more than the limit: a datagram that fills it was larger than the limit and the
     * kernel cut it (MSG_TRUNC is not reported by the calls at hand).
     */
    final ByteBuffer receiveBuffer;
    /** What the handler sees: the receive buffer from 0 to the datagram's length. */
    private final ByteBuffer view;

    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong droppedSendQueueFull = new AtomicLong();
    private final Runnable drainTask = this::drainQueue;

    private IoEventLoop loop;
    private LoopProgress progress;
    private IoRegistration registration;
    private boolean writeArmed;
    private volatile boolean open = true;
    /** The length of the datagram {@link #receiveOne()} received last. */
    int received;

    // Counted on the loop, read by stats from any thread.
    long datagramsIn;
    long bytesIn;
    long datagramsOut;
    long bytesOut;
    long droppedOversize;
    long sendFailures;

    DatagramSocketHandle(int index, DatagramOptions options, DatagramSink sink, ClientFaultLog sendFaults) {
        this.index = index;
        this.maxDatagramSize = options.maxDatagramSize();
        this.maxPerRead = options.maxDatagramsPerRead();
        this.maxQueuedSends = options.maxQueuedSends();
        this.sink = sink;
        this.sendFaults = sendFaults;
        this.receiveBuffer = ByteBuffer.allocateDirect(maxDatagramSize + 1);
        this.view = receiveBuffer.duplicate();
    }

    /** The socket's position among its server's sockets, from 0. */
    public final int index() {
        return index;
    }

    public abstract InetSocketAddress localAddress();

    /**
     * Receives one datagram into {@link #receiveBuffer} from 0; returns its sender with its
     * length in {@link #received}, or {@code null} when none is pending.
     */
    abstract InetSocketAddress receiveOne() throws IOException;

    /**
     * Sends the bytes of {@code payload} from position to limit without moving them; returns
     * {@code false} when the socket's send buffer is full.
     */
    abstract boolean sendOne(InetSocketAddress target, ByteBuffer payload) throws IOException;

    abstract IoOps readOps();

    abstract IoOps readWriteOps();

    abstract boolean readable(IoEvent event);

    abstract boolean writable(IoEvent event);

    abstract void closeSocket() throws IOException;

    /**
     * Datagrams the kernel dropped on this socket's receive queue (it was full: the loop did not
     * read fast enough), or -1 where the transport cannot tell. Any thread.
     */
    public abstract long kernelDrops();

    /** Joins {@code group} on {@code iface} ({@code null}: the system's choice). Any thread. */
    public abstract void join(InetAddress group, NetworkInterface iface) throws IOException;

    /** Leaves {@code group} on {@code iface}, as joined. Any thread. */
    public abstract void leave(InetAddress group, NetworkInterface iface) throws IOException;

    /**
     * Registers on {@code loop} and starts reading; blocks until both are done.
     *
     * @throws IOException when the loop refused the socket (the socket is closed then)
     */
    public final void register(IoEventLoop loop, LoopProgress progress) throws IOException, InterruptedException {
        this.loop = loop;
        this.progress = progress;
        try {
            LoopRegistration.register(loop, this, readOps(), r -> registration = r);
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public final IoEventLoop loop() {
        return loop;
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        progress.busy();
        try {
            if (writable(event)) {
                drainQueue();
            }
            if (readable(event)) {
                readBatch();
            }
        } catch (Throwable t) {
            // Never out of handle(): Netty would stall the loop for a second.
            sendFaults.report(loop, "gev datagram socket {} failed: {}", localAddress(), t.toString());
        } finally {
            progress.waiting();
        }
    }

    private void readBatch() throws IOException {
        for (int i = 0; i < maxPerRead && open; i++) {
            InetSocketAddress sender = receiveOne();
            if (sender == null) {
                return;
            }
            int length = received;
            if (length > maxDatagramSize) {
                droppedOversize++;
                continue;
            }
            datagramsIn++;
            bytesIn += length;
            view.limit(length).position(0);
            sink.received(this, sender, view);
        }
    }

    // ---- sending ----------------------------------------------------------------------------

    @Override
    public final boolean send(InetSocketAddress target, ByteBuffer payload) {
        checkTarget(target);
        int length = payload.remaining();
        if (length > maxDatagramSize) {
            throw new IllegalArgumentException("payload of " + length + " bytes is larger than maxDatagramSize "
                    + maxDatagramSize);
        }
        if (!open) {
            return false;
        }
        if (loop.inEventLoop()) {
            return sendOnLoop(target, payload);
        }
        if (!enqueue(target, payload)) {
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (RejectedExecutionException e) {
                return false; // The loop is shutting down, and the socket with it.
            }
        }
        return true;
    }

    static void checkTarget(InetSocketAddress target) {
        if (target == null || target.isUnresolved()) {
            throw new IllegalArgumentException("target must be a resolved address: " + target);
        }
    }

    /**
     * Sends a reply the handler returned, on the loop: over the size limit it is counted as a
     * failed send, not thrown, since nobody is there to catch it; the reply's position is kept.
     */
    public final void reply(InetSocketAddress target, ByteBuffer reply) {
        if (reply.remaining() > maxDatagramSize) {
            sendFailures++;
            sendFaults.report(loop, "gev datagram socket {}: a reply of {} bytes to {} is larger than "
                    + "maxDatagramSize {}; not sent", localAddress(), reply.remaining(), target, maxDatagramSize);
            return;
        }
        if (open) {
            sendOnLoop(target, reply);
        }
    }

    private boolean sendOnLoop(InetSocketAddress target, ByteBuffer payload) {
        if (writeArmed || !queue.isEmpty()) {
            // Behind datagrams already waiting: keep the order.
            return enqueue(target, payload);
        }
        int length = payload.remaining();
        try {
            if (sendOne(target, payload)) {
                datagramsOut++;
                bytesOut += length;
                return true;
            }
        } catch (IOException e) {
            sendFailed(target, e);
            return true; // Taken and lost, as UDP may lose any datagram: counted as a failure.
        }
        if (!enqueue(target, payload)) {
            return false;
        }
        armWrite();
        return true;
    }

    private boolean enqueue(InetSocketAddress target, ByteBuffer payload) {
        if (queued.incrementAndGet() > maxQueuedSends) {
            queued.decrementAndGet();
            droppedSendQueueFull.incrementAndGet();
            return false;
        }
        byte[] copy = new byte[payload.remaining()];
        payload.duplicate().get(copy);
        queue.add(new Outgoing(target, ByteBuffer.wrap(copy)));
        return true;
    }

    /** Sends what is queued, a batch per run, until the kernel's buffer is full. On the loop. */
    private void drainQueue() {
        drainScheduled.set(false);
        for (int i = 0; i < MAX_QUEUED_SENDS_PER_RUN; i++) {
            Outgoing next = queue.peek();
            if (next == null) {
                disarmWrite();
                return;
            }
            if (!open) {
                return;
            }
            int length = next.payload.remaining();
            try {
                if (!sendOne(next.target, next.payload)) {
                    armWrite();
                    return;
                }
                datagramsOut++;
                bytesOut += length;
            } catch (IOException e) {
                sendFailed(next.target, e);
            }
            queue.poll();
            queued.decrementAndGet();
        }
        if (!writeArmed && drainScheduled.compareAndSet(false, true)) {
            // More than a batch waits: let the loop poll for I/O before the next one.
            loop.execute(drainTask);
        }
    }

    private void sendFailed(InetSocketAddress target, IOException e) {
        sendFailures++;
        sendFaults.report(loop, "gev datagram socket {}: sending to {} failed: {}", localAddress(), target,
                e.toString());
    }

    private void armWrite() {
        if (!writeArmed && registration != null && registration.isValid()) {
            writeArmed = true;
            registration.submit(readWriteOps());
        }
    }

    private void disarmWrite() {
        if (writeArmed && registration != null && registration.isValid()) {
            writeArmed = false;
            registration.submit(readOps());
        }
    }

    // ---- stats and close --------------------------------------------------------------------

    public final long datagramsIn() {
        return datagramsIn;
    }

    public final long bytesIn() {
        return bytesIn;
    }

    public final long datagramsOut() {
        return datagramsOut;
    }

    public final long bytesOut() {
        return bytesOut;
    }

    public final long droppedOversize() {
        return droppedOversize;
    }

    public final long sendFailures() {
        return sendFailures;
    }

    public final long droppedSendQueueFull() {
        return droppedSendQueueFull.get();
    }

    public final int queuedSends() {
        return queued.get();
    }

    public final boolean isOpen() {
        return open;
    }

    /**
     * Writes what is queued as far as the kernel takes it now, then stops reading and closes the
     * socket; on the loop. Never throws; does nothing the second time.
     */
    public final void closeAfterFlush() {
        if (open) {
            drainQueue();
        }
        close();
    }

    /** Stops reading and closes the socket; on the loop (Netty calls it at shutdown too). Never throws. */
    @Override
    public final void close() {
        if (!open) {
            return;
        }
        open = false;
        if (registration != null) {
            registration.cancel();
        }
        try {
            closeSocket();
        } catch (IOException e) {
            log.debug("Closing datagram socket {} failed", localAddress(), e);
        }
        int left = queued.getAndSet(0);
        queue.clear();
        if (left > 0) {
            log.debug("Datagram socket {} closed with {} datagrams not sent", localAddress(), left);
        }
    }

    @Override
    public String toString() {
        return "DatagramSocket[" + localAddress() + ", loop " + index + "]";
    }

    private record Outgoing(InetSocketAddress target, ByteBuffer payload) {
    }
}
