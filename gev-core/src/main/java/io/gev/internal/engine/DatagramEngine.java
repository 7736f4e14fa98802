package io.gev.internal.engine;

import io.gev.ServerStartException;
import io.gev.internal.udp.DatagramSink;
import io.gev.internal.udp.DatagramSocketHandle;
import io.gev.internal.udp.DatagramSockets;
import io.gev.internal.udp.Multicast;
import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.loop.Transport;
import io.gev.udp.DatagramHandler;
import io.gev.udp.DatagramOptions;
import io.gev.udp.DatagramStats;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machinery behind {@link io.gev.udp.DatagramServer}: its sockets on the worker loops of a
 * loop group (its own, or shared with TCP servers), the handler on the loop or offloaded, and the
 * routing of sends. Runs once; a restart takes a new engine.
 */
final class DatagramEngine implements DatagramRuntime, LoopGroup.Member {

    private static final Logger log = LoggerFactory.getLogger(DatagramEngine.class);

    /** Spreads the single sockets of servers sharing loops over those loops. */
    private static final AtomicInteger NEXT_LOOP = new AtomicInteger();

    private enum State { NEW, RUNNING, STOPPED }

    private final DatagramOptions options;
    private final DatagramHandler handler;
    private final String name;
    private final LoopGroup group;
    private final boolean ownsGroup;
    private final ClientFaultLog handlerFaults;
    private final ClientFaultLog socketFaults;
    private final AtomicLong handlerFailures = new AtomicLong();
    private final AtomicInteger nextSocket = new AtomicInteger();
    private final Executor offloadExecutor;

    private State state = State.NEW;
    private volatile boolean running;
    private volatile Transport transport;
    private volatile List<DatagramSocketHandle> sockets = List.of();
    private volatile List<Backlog> backlogs = List.of();
    private volatile InetSocketAddress localAddress;
    private NetworkInterface multicastInterface;
    /** Guarded by this: group → interface it was joined on. */
    private final Map<InetAddress, NetworkInterface> joined = new LinkedHashMap<>();

    DatagramEngine(DatagramOptions options, DatagramHandler handler, LoopGroup shared) {
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.name = options.name();
        this.ownsGroup = shared == null;
        this.group = shared != null ? shared
                : LoopGroup.create(name, "gev datagram server '" + name + "'", options.loops(), options.transport(),
                        options.daemonThreads(), options.blockedLoopWarning(), false);
        this.handlerFaults = new ClientFaultLog(LoggerFactory.getLogger(DatagramHandler.class), Level.WARN, name,
                "handler failures", options.faultLogInterval(), options.faultLogLimit());
        this.socketFaults = new ClientFaultLog(LoggerFactory.getLogger(DatagramSocketHandle.class), Level.WARN, name,
                "failed sends", options.faultLogInterval(), options.faultLogLimit());
        this.offloadExecutor = options.handlerExecution().offloads()
                ? options.handlerExecution().executor()
                        .orElseGet(() -> VirtualThreads.executor("gev-" + name + "-handler-"))
                : null;
    }

    @Override
    public String name() {
        return name;
    }

    // ---- start ------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("Datagram server '" + name + "' was already started");
        }
        state = State.STOPPED; // until it runs: a failed start is final for this engine
        String host = options.host().orElse(null);
        int port = options.port();
        String shownHost = host == null ? "*" : host;
        group.attach(this);
        List<DatagramSocketHandle> opened = new ArrayList<>();
        try {
            Transport resolved = group.transport();
            if (options.transport() != Transport.AUTO && options.transport() != resolved) {
                throw new ServerStartException("Datagram server '" + name + "' asks for transport "
                        + options.transport() + " but runs on " + group + ", which is " + resolved, shownHost, port,
                        null);
            }
            transport = resolved;
            InetSocketAddress address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new ServerStartException("Cannot resolve address '" + host + "' of gev datagram server '" + name
                        + "'", shownHost, port, null);
            }
            multicastInterface = options.multicastInterface().isPresent()
                    ? Multicast.byName(options.multicastInterface().get()) : null;
            List<EventExecutor> workers = group.workers();
            List<EventExecutor> on = options.reusePort() ? workers
                    : List.of(workers.get(Math.floorMod(NEXT_LOOP.getAndIncrement(), workers.size())));
            List<Backlog> created = new ArrayList<>();
            for (EventExecutor executor : on) {
                int index = opened.size();
                Backlog backlog = offloadExecutor != null ? new Backlog() : null;
                DatagramSink sink = backlog != null ? backlog : this::handleOnLoop;
                DatagramSocketHandle socket = DatagramSockets.open(resolved, index, options, address,
                        multicastInterface, sink, socketFaults);
                opened.add(socket);
                socket.register((IoEventLoop) executor, group.progress(executor));
                if (backlog != null) {
                    created.add(backlog);
                }
                if (address.getPort() == 0) {
                    address = new InetSocketAddress(address.getAddress(), socket.localAddress().getPort());
                }
            }
            sockets = Collections.unmodifiableList(opened);
            backlogs = Collections.unmodifiableList(created);
            localAddress = opened.get(0).localAddress();
            for (InetAddress g : options.multicastGroups()) {
                opened.get(0).join(g, multicastInterface);
                joined.put(g, multicastInterface);
            }
            running = true;
            state = State.RUNNING;
            log.info("gev datagram server '{}' started on {} ({} transport, {} socket{}{}, max datagram {} bytes{}{})",
                    name, localAddress, resolved, opened.size(), opened.size() == 1 ? "" : "s",
                    ownsGroup ? "" : " on event loops '" + group.name() + "'", options.maxDatagramSize(),
                    joined.isEmpty() ? "" : ", multicast " + joined.keySet(),
                    offloadExecutor != null ? ", handler offloaded" : "");
        } catch (ServerStartException e) {
            abortStart(opened);
            throw e;
        } catch (BindException e) {
            abortStart(opened);
            throw new ServerStartException("Cannot bind gev datagram server '" + name + "' to " + shownHost + ":"
                    + port + ": " + e.getMessage(), shownHost, port, e);
        } catch (IOException e) {
            abortStart(opened);
            Throwable cause = e;
            if (String.valueOf(e.getMessage()).contains("Address already in use")) {
                BindException bind = new BindException(e.getMessage());
                bind.initCause(e);
                cause = bind;
            }
            throw new ServerStartException("Cannot start gev datagram server '" + name + "' on " + shownHost + ":"
                    + port + ": " + e.getMessage(), shownHost, port, cause);
        } catch (RuntimeException e) {
            abortStart(opened);
            throw new ServerStartException("Cannot start gev datagram server '" + name + "' on " + shownHost + ":"
                    + port + ": " + e, shownHost, port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortStart(opened);
            throw new ServerStartException("Interrupted while starting gev datagram server '" + name + "'",
                    shownHost, port, e);
        }
    }

    private void abortStart(List<DatagramSocketHandle> opened) {
        closeSockets(opened);
        leaveGroup();
    }

    // ---- the handler ------------------------------------------------------------------------

    /** The sink of a handler on the loop: runs it on the receive buffer's view, sends its reply. */
    private void handleOnLoop(DatagramSocketHandle socket, InetSocketAddress sender, ByteBuffer payload) {
        ByteBuffer reply;
        try {
            reply = handler.onDatagram(socket, sender, payload);
        } catch (Throwable t) {
            handlerFailed(socket, sender, t);
            return;
        }
        if (reply != null) {
            socket.reply(sender, reply);
        }
    }

    private void handlerFailed(DatagramSocketHandle socket, InetSocketAddress sender, Throwable t) {
        handlerFailures.incrementAndGet();
        handlerFaults.report(socket.loop(), "gev datagram server '{}': the handler failed on a datagram from {}: {}",
                name, sender, t.toString(), t);
    }

    /**
     * The datagrams of one socket waiting for an offloaded handler: bounded, served one at a time
     * in arrival order by one task on the executor at a time.
     */
    private final class Backlog implements DatagramSink, Runnable {

        private final ConcurrentLinkedQueue<Inbound> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicLong dropped = new AtomicLong();
        private final int max = options.handlerExecution().maxQueuedMessages();

        @Override
        public void received(DatagramSocketHandle socket, InetSocketAddress sender, ByteBuffer payload) {
            if (size.incrementAndGet() > max) {
                size.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
            byte[] copy = new byte[payload.remaining()];
            payload.get(payload.position(), copy);
            queue.add(new Inbound(socket, sender, copy));
            if (scheduled.compareAndSet(false, true)) {
                try {
                    offloadExecutor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    int lost = drop();
                    dropped.addAndGet(lost);
                    handlerFaults.report(socket.loop(), "gev datagram server '{}': the handler's executor refused "
                            + "work; {} datagrams dropped", name, lost);
                }
            }
        }

        private int drop() {
            int lost = 0;
            while (queue.poll() != null) {
                size.decrementAndGet();
                lost++;
            }
            return lost;
        }

        @Override
        public void run() {
            while (true) {
                Inbound next = queue.poll();
                if (next == null) {
                    scheduled.set(false);
                    // A datagram queued after the poll saw the flag still set and scheduled nothing.
                    if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                size.decrementAndGet();
                if (!running) {
                    continue;
                }
                ByteBuffer reply;
                try {
                    reply = handler.onDatagram(next.socket, next.sender, ByteBuffer.wrap(next.payload));
                } catch (Throwable t) {
                    handlerFailed(next.socket, next.sender, t);
                    continue;
                }
                if (reply != null) {
                    try {
                        next.socket.send(next.sender, reply);
                    } catch (IllegalArgumentException e) {
                        handlerFailed(next.socket, next.sender, e);
                    }
                }
            }
        }

        int waiting() {
            return size.get();
        }
    }

    private record Inbound(DatagramSocketHandle socket, InetSocketAddress sender, byte[] payload) {
    }

    // ---- sending and multicast ------------------------------------------------------------------

    @Override
    public boolean send(InetSocketAddress target, ByteBuffer payload) {
        Objects.requireNonNull(payload, "payload");
        List<DatagramSocketHandle> all = sockets;
        if (!running || all.isEmpty()) {
            if (payload.remaining() > options.maxDatagramSize()) {
                throw new IllegalArgumentException("payload of " + payload.remaining()
                        + " bytes is larger than maxDatagramSize " + options.maxDatagramSize());
            }
            return false;
        }
        DatagramSocketHandle socket = null;
        if (all.size() > 1) {
            for (DatagramSocketHandle s : all) {
                if (s.loop().inEventLoop()) {
                    socket = s; // no hop to another loop
                    break;
                }
            }
        }
        if (socket == null) {
            socket = all.size() == 1 ? all.get(0) : all.get(Math.floorMod(nextSocket.getAndIncrement(), all.size()));
        }
        return socket.send(target, payload);
    }

    @Override
    public synchronized void join(InetAddress group, NetworkInterface iface) throws IOException {
        DatagramSocketHandle socket = multicastSocket(group);
        NetworkInterface on = iface != null ? iface : multicastInterface;
        socket.join(group, on);
        joined.put(group, on);
    }

    @Override
    public synchronized void leave(InetAddress group, NetworkInterface iface) throws IOException {
        DatagramSocketHandle socket = multicastSocket(group);
        NetworkInterface on = iface != null ? iface : joined.getOrDefault(group, multicastInterface);
        socket.leave(group, on);
        joined.remove(group);
    }

    private DatagramSocketHandle multicastSocket(InetAddress group) {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("group must be a multicast address: " + group);
        }
        if (!running) {
            throw new IllegalStateException("Datagram server '" + name + "' is not running");
        }
        if (sockets.size() > 1) {
            throw new IllegalStateException("Datagram server '" + name + "' has a socket per loop (reusePort): "
                    + "every socket would receive each group datagram; multicast needs reusePort off");
        }
        return sockets.get(0);
    }

    @Override
    public synchronized List<InetAddress> groups() {
        return List.copyOf(joined.keySet());
    }

    // ---- stop -------------------------------------------------------------------------------

    @Override
    public void stop() {
        List<DatagramSocketHandle> toClose;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPED;
            running = false;
            toClose = sockets;
            joined.clear();
        }
        closeSockets(toClose);
        leaveGroup();
        handlerFaults.flush();
        socketFaults.flush();
        log.info("gev datagram server '{}' stopped", name);
    }

    private void closeSockets(List<DatagramSocketHandle> toClose) {
        for (DatagramSocketHandle socket : toClose) {
            IoEventLoop loop = socket.loop();
            if (loop == null || loop.isShuttingDown()) {
                socket.close();
                continue;
            }
            try {
                if (!loop.submit(socket::closeAfterFlush).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
                    log.warn("Datagram socket {} did not close within 10 s", socket);
                }
            } catch (RejectedExecutionException e) {
                socket.close();
            }
        }
    }

    private void leaveGroup() {
        group.detach(this);
        if (ownsGroup) {
            group.shutdown();
        }
    }

    // ---- state ------------------------------------------------------------------------------

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public synchronized boolean hasRun() {
        return state != State.NEW;
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress address = localAddress;
        if (address == null) {
            throw new IllegalStateException("Datagram server '" + name + "' is not bound yet");
        }
        return address;
    }

    @Override
    public Transport transport() {
        Transport t = transport;
        return t != null ? t : group.transport();
    }

    @Override
    public DatagramStats stats() {
        long in = 0;
        long bytesIn = 0;
        long out = 0;
        long bytesOut = 0;
        long oversize = 0;
        long queueFull = 0;
        long failures = 0;
        long queued = 0;
        long kernel = 0;
        for (DatagramSocketHandle s : sockets) {
            long drops = s.kernelDrops();
            kernel = kernel < 0 || drops < 0 ? -1 : kernel + drops;
            in += s.datagramsIn();
            bytesIn += s.bytesIn();
            out += s.datagramsOut();
            bytesOut += s.bytesOut();
            oversize += s.droppedOversize();
            queueFull += s.droppedSendQueueFull();
            failures += s.sendFailures();
            queued += s.queuedSends();
        }
        long backlogDropped = 0;
        long waiting = 0;
        for (Backlog b : backlogs) {
            backlogDropped += b.dropped.get();
            waiting += b.waiting();
        }
        return new DatagramStats(in, bytesIn, out, bytesOut, oversize, queueFull, backlogDropped, failures,
                handlerFailures.get(), sockets.isEmpty() ? -1 : kernel, queued, waiting, sockets.size());
    }

    @Override
    public String toString() {
        return "DatagramEngine[name=" + name + ", address=" + localAddress + ", transport=" + transport()
                + ", sockets=" + sockets.size() + ", running=" + running + "]";
    }
}
