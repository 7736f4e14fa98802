package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Handler;
import io.gev.ProxyProtocol;
import io.gev.ServerOptions;
import io.gev.ServerStartException;
import io.gev.ServerStats;
import io.gev.internal.tls.TlsContext;
import io.gev.internal.tls.TlsSocketIo;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.transport.EpollSocketIo;
import io.gev.internal.transport.ListeningSocket;
import io.gev.internal.transport.SocketIo;
import io.gev.internal.transport.TransportSupport;
import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.internal.watchdog.LogThrottle;
import io.gev.loop.EventLoop;
import io.gev.loop.LoadBalancer;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machinery behind {@link io.gev.Server}: loop groups, listeners, connection accounting and
 * the stop sequence. {@code Server} reaches it as a {@link ServerRuntime}; it knows the server by
 * its options, handler and protocol alone.
 */
final class ServerEngine implements ServerRuntime, LoopGroup.Member {

    private static final Logger log = LoggerFactory.getLogger(ServerEngine.class);

    private enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    /** A balancer that picks no loop of the server is reported at most this often. */
    static final long BALANCER_ERROR_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    final ServerOptions options;
    final String name;
    /** Paired by Server.builder: the handler takes what the protocol decodes. */
    final Handler<?> handler;
    /** What the loops call: the handler, or its offloaded side when it runs off the loop. */
    final Handler<Object> loopHandler;
    /** The handler's offloaded side; {@code null} when it runs on the loop. */
    private final OffloadedHandler offloaded;
    final Protocol<?> protocol;
    /** {@link ServerOptions#loops()} resolved: the number of worker loops. */
    final int loopCount;
    final LoadBalancer loadBalancer;
    /** The TLS settings and handshake executor; {@code null} for a plain server. */
    final TlsContext tls;
    /** Where the connections' protocol errors and TLS failures are logged, a few lines per interval. */
    final ClientFaultLog protocolErrors;
    final ClientFaultLog tlsFailures;
    /** Connections refused for who they come from: untrusted balancers, per-address limits. */
    private final ClientFaultLog refusals;
    /** The PROXY protocol a server reads first; {@code null} when it reads none (and on a client). */
    final ProxyProtocol proxyProtocol;
    /** The socket file a server listens on; {@code null} on TCP (and on a client). Its peers have no IP addresses. */
    private final Path unixSocket;
    /** The per-client-address limits of a server; {@code null} when it sets none (and on a client). */
    private final AddressLimiter addressLimiter;

    /** Told when connections open and close, on an engine that makes them itself (a client's); else {@code null}. */
    final ConnectionHooks hooks;
    /** Whether the engine listens (a server's) or only runs the connections it is given (a client's). */
    private final boolean listens;

    private final AtomicInteger openSlots = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Stats stats = new Stats();
    private final LogThrottle balancerErrors = new LogThrottle(BALANCER_ERROR_LOG_PERIOD_NANOS);

    private volatile State state = State.NEW;
    private volatile boolean stopping;
    private volatile Transport transport;
    private volatile List<GevLoop> loops = List.of();
    private volatile InetSocketAddress localAddress;
    /** The threads the server runs on, its own unless shared with other servers. */
    private final LoopGroup group;
    private final boolean ownsGroup;
    private boolean attached;
    private final List<ListeningSocket> listeners = new ArrayList<>();
    private final List<EventExecutor> listenerLoops = new ArrayList<>();
    private volatile CountDownLatch drained;

    /**
     * An engine for a server with {@code options} (already checked against each other), whose
     * connections {@code handler} serves with {@code protocol}, on the threads of {@code shared}
     * or, when {@code null}, of a group of its own made from the options. Takes the server's own
     * balancer from the options now.
     */
    ServerEngine(ServerOptions options, Handler<?> handler, Protocol<?> protocol, LoopGroup shared) {
        this(options, handler, protocol, shared, true, null, "gev server '" + options.name() + "'");
    }

    /**
     * An engine as above that listens only when {@code listens}, tells {@code hooks} (may be
     * {@code null}) of its connections' lives, and is {@code owner} in the watchdog's log lines.
     */
    ServerEngine(ServerOptions options, Handler<?> handler, Protocol<?> protocol, LoopGroup shared, boolean listens,
            ConnectionHooks hooks, String owner) {
        this.listens = listens;
        this.hooks = hooks;
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.name = options.name();
        this.offloaded = options.handlerExecution().offloads()
                ? new OffloadedHandler(anyHandler(handler), anyProtocol(protocol), options.handlerExecution(), name)
                : null;
        this.loopHandler = offloaded != null ? offloaded : anyHandler(handler);
        this.ownsGroup = shared == null;
        this.group = shared != null ? shared
                : LoopGroup.create(name, owner, options.loops(), options.transport(),
                        options.daemonThreads(), options.blockedLoopWarning(), listens && !options.reusePort());
        this.loopCount = group.size();
        this.loadBalancer = options.loadBalancer();
        this.tls = options.tls().map(t -> new TlsContext(t, name, loopCount)).orElse(null);
        this.protocolErrors = new ClientFaultLog(LoggerFactory.getLogger(ConnectionImpl.class), Level.WARN, name,
                "protocol errors", options.clientFaultLogInterval(), options.clientFaultLogLimit());
        this.tlsFailures = new ClientFaultLog(LoggerFactory.getLogger(TlsSocketIo.class), Level.INFO, name,
                "TLS failures", options.clientFaultLogInterval(), options.clientFaultLogLimit());
        this.refusals = new ClientFaultLog(log, Level.WARN, name, "refused connections",
                options.clientFaultLogInterval(), options.clientFaultLogLimit());
        this.proxyProtocol = listens ? options.proxyProtocol().orElse(null) : null;
        this.addressLimiter = listens ? AddressLimiter.of(options) : null;
        this.unixSocket = listens ? options.unixSocket().orElse(null) : null;
    }

    // Server.builder pairs a Protocol<M> with a Handler<? super M>: whatever the protocol puts in
    // the frame, the handler takes, so both are used as <Object> (erased: no cost).
    @SuppressWarnings("unchecked")
    private static Handler<Object> anyHandler(Handler<?> handler) {
        return (Handler<Object>) handler;
    }

    @SuppressWarnings("unchecked")
    static Protocol<Object> anyProtocol(Protocol<?> protocol) {
        return (Protocol<Object>) protocol;
    }

    // ---- start ------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("Server '" + name + "' was already started");
        }
        state = State.STARTING;
        String address = options.address().orElse(null);
        int port = unixSocket != null ? -1 : options.port();
        String host = unixSocket != null ? unixSocket.toString() : address == null ? "*" : address;
        try {
            group.attach(this); // fails when the transport is missing or shared loops were closed
        } catch (RuntimeException e) {
            state = State.STOPPED;
            throw e;
        }
        attached = true;
        try {
            Transport resolved = group.transport();
            if (options.transport() != Transport.AUTO && options.transport() != resolved) {
                throw new ServerStartException("Server '" + name + "' asks for transport " + options.transport()
                        + " but runs on " + group + ", which is " + resolved, host, port, null);
            }
            TransportSupport support = group.support();
            List<GevLoop> created = new ArrayList<>(loopCount);
            for (EventExecutor executor : group.workers()) {
                created.add(new GevLoop(executor, created.size(), this, group.progress(executor)));
            }
            loops = Collections.unmodifiableList(created);
            transport = resolved;

            if (listens && unixSocket != null) {
                IoEventLoop acceptor = group.acceptor();
                addListener(support.bindUnix(options, unixSocket, acceptor, group.progress(acceptor),
                        socket -> accepted(socket, null)), acceptor);
            } else if (listens) {
                InetSocketAddress bindAddress = address == null ? new InetSocketAddress(port)
                        : new InetSocketAddress(address, port);
                if (bindAddress.isUnresolved()) {
                    throw new ServerStartException("Cannot resolve address '" + address + "' of gev server '"
                            + name + "'", host, port, null);
                }
                if (options.reusePort()) {
                    // One listener per loop, all on one port: the kernel spreads the connections.
                    for (GevLoop loop : created) {
                        ListeningSocket listener = support.bind(options, bindAddress, loop.ioLoop(), loop.progress(),
                                socket -> accepted(socket, loop));
                        addListener(listener, loop.netty());
                        if (bindAddress.getPort() == 0) {
                            bindAddress = new InetSocketAddress(bindAddress.getAddress(), ((InetSocketAddress) listener.localAddress()).getPort());
                        }
                    }
                } else {
                    IoEventLoop acceptor = group.acceptor();
                    addListener(support.bind(options, bindAddress, acceptor, group.progress(acceptor),
                            socket -> accepted(socket, null)), acceptor);
                }
                localAddress = (InetSocketAddress) listeners.get(0).localAddress();
            }
            if (!options.idleTimeout().isZero()) {
                long nanos = options.idleTimeout().toNanos();
                for (GevLoop loop : created) {
                    loop.netty().execute(() -> loop.startIdleSweep(nanos));
                }
            }
            state = State.RUNNING;
            if (listens) {
                log.info("gev server '{}' started on {} ({} transport, {} loops{}{}{}{})", name, where(), resolved,
                        loopCount, ownsGroup ? "" : " of event loops '" + group.name() + "'",
                        options.reusePort() ? ", reuse-port" : "", tls != null ? ", TLS" : "", protocolSuffix());
            } else {
                log.info("gev client '{}' started ({} transport, {} loops{}{}{})", name, resolved, loopCount,
                        ownsGroup ? "" : " of event loops '" + group.name() + "'", tls != null ? ", TLS" : "",
                        protocolSuffix());
            }
        } catch (ServerStartException e) {
            abortStart();
            throw e;
        } catch (BindException e) {
            abortStart();
            throw new ServerStartException("Cannot bind gev server '" + name + "' to " + where()
                    + ": " + e.getMessage(), host, port, e);
        } catch (IOException e) {
            abortStart();
            Throwable cause = e;
            if (String.valueOf(e.getMessage()).contains("Address already in use")) {
                BindException bind = new BindException(e.getMessage());
                bind.initCause(e);
                cause = bind;
            }
            throw new ServerStartException("Cannot bind gev server '" + name + "' to " + where()
                    + ": " + e.getMessage(), host, port, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortStart();
            throw new ServerStartException("Interrupted while starting gev server '" + name + "'", host, port, e);
        } catch (RuntimeException | Error e) {
            abortStart();
            throw new ServerStartException("Cannot start gev server '" + name + "': " + e, host, port, e);
        }
    }

    /**
     * Runs this engine's connections on {@code loop} alone, without sockets, listeners or threads
     * of its own: the embedded loop of the tests. Its stats count that loop.
     */
    void runOn(GevLoop loop) {
        synchronized (this) {
            if (state != State.NEW) {
                throw new IllegalStateException("Server '" + name + "' was already started");
            }
            state = State.RUNNING;
        }
        loops = List.of(loop);
    }

    private String protocolSuffix() {
        return protocol == io.gev.protocol.RawProtocol.INSTANCE ? "" : ", protocol " + protocol;
    }

    private void addListener(ListeningSocket listener, EventExecutor loop) {
        listeners.add(listener);
        listenerLoops.add(loop);
    }

    private void abortStart() {
        closeListeners();
        for (GevLoop loop : loops) {
            loop.retire();
        }
        releaseGroup();
        if (tls != null) {
            tls.shutdown();
        }
        state = State.STOPPED;
    }

    // ---- accepting --------------------------------------------------------------------------

    /** A listener accepted a configured socket; runs on the listener's thread. */
    void accepted(AbstractSocketIo socket, GevLoop owner) {
        if (stopping) {
            socket.closeSocket();
            return;
        }
        if (!reserveSlot()) {
            rejected.incrementAndGet();
            log.debug("Rejected a connection to '{}': {} connections open, the maximum", name, options.maxConnections());
            socket.closeSocket();
            return;
        }
        InetAddress counted = null;
        // On a Unix domain socket the file's permissions decide who connects, and the limits count
        // addresses only a PROXY protocol header gives.
        if (unixSocket == null && (proxyProtocol != null || addressLimiter != null)) {
            InetSocketAddress peer = socket.remoteAddress();
            if (peer == null) {
                // The peer reset before it was accepted (a balancer's client that left at once):
                // nobody to serve or to refuse.
                slotReleased();
                socket.closeSocket();
                return;
            }
            String why = proxyProtocol != null ? (proxyProtocol.isTrusted(peer.getAddress()) ? null
                            : "not a trusted balancer of the PROXY protocol " + proxyProtocol.trustedProxies())
                    : addressLimiter.tryAcquire(peer.getAddress(), System.nanoTime());
            if (why != null) {
                refusals.report(anyLoop(owner), "gev server '{}' refused a connection from {}: {}", name, peer, why);
                refuse(socket);
                return;
            }
            // Behind a balancer the limits count the client's address, known once the header is read.
            counted = proxyProtocol == null ? peer.getAddress() : null;
        }
        GevLoop loop = owner != null ? owner : balancedLoop();
        if (loop == null) {
            if (counted != null) {
                addressLimiter.release(counted, System.nanoTime());
            }
            refuse(socket);
            return;
        }
        ConnectionImpl connection = new ConnectionImpl(ids.incrementAndGet(), loop, connectionIo(socket, loop));
        connection.addressCounted = counted != null;
        loop.register(connection, socket);
    }

    private EventExecutor anyLoop(GevLoop owner) {
        return owner != null ? owner.netty() : loops.get(0).netty();
    }

    /**
     * Whether the per-address limits admit {@code c}, whose address a PROXY protocol header gave;
     * if not, {@code c} is closed as rejected, with a line in the refusals log. Loop thread.
     */
    boolean admit(AbstractConnection c) {
        if (addressLimiter == null || c.remoteAddress() == null) {
            return true; // a Unix domain socket's LOCAL header names no client
        }
        String why = addressLimiter.tryAcquire(c.remoteAddress().getAddress(), System.nanoTime());
        if (why == null) {
            c.addressCounted = true;
            return true;
        }
        rejected.incrementAndGet();
        refusals.report(c.loop.netty(), "gev server '{}' refused {}: {}", name, c, why);
        Closing.close(c, CloseReason.REJECTED, null);
        return false;
    }

    /** {@code c} closed: the per-address limits no longer count it. */
    void addressReleased(AbstractConnection c) {
        if (c.addressCounted) {
            c.addressCounted = false;
            addressLimiter.release(c.remoteAddress().getAddress(), System.nanoTime());
        }
    }

    /**
     * A connection over {@code socket}, which the client engine connects to {@code peerHost} (the
     * name TLS sends and checks) at {@code peerPort} and registers itself; it counts as open until
     * it closes or is {@link Opening#drop dropped}. Loop thread.
     */
    ConnectionImpl newConnection(AbstractSocketIo socket, GevLoop loop, String peerHost, int peerPort) {
        openSlots.incrementAndGet();
        return new ConnectionImpl(ids.incrementAndGet(), loop, connectionIo(socket, loop, peerHost, peerPort));
    }

    /** Whether the engine accepts its connections (a server's) rather than making them (a client's). */
    boolean listens() {
        return listens;
    }

    /** The transport's sockets and listeners; while running. */
    TransportSupport support() {
        return group.support();
    }

    /** The loops of the current run, in index order. */
    List<GevLoop> gevLoops() {
        return loops;
    }

    /**
     * The loop the balancer picks, or {@code null} when it picks none of this server's loops or
     * throws: a user's balancer must not break the accept thread, nor flood the log.
     */
    private GevLoop balancedLoop() {
        List<GevLoop> current = loops;
        EventLoop picked;
        try {
            picked = loadBalancer.select(current);
        } catch (RuntimeException e) {
            reportBalancerError("threw " + e, e);
            return null;
        }
        if (picked instanceof GevLoop) {
            GevLoop loop = (GevLoop) picked;
            int index = loop.index();
            if (index >= 0 && index < current.size() && current.get(index) == loop) {
                return loop;
            }
        }
        reportBalancerError("returned " + picked + ", which is not one of the server's loops " + current, null);
        return null;
    }

    private void reportBalancerError(String what, Throwable cause) {
        long held = balancerErrors.tryReport(System.nanoTime());
        if (held >= 0) {
            log.error("gev server '{}': load balancer {} {}; refusing the connection (logged at most once a second{})",
                    name, loadBalancer, what, held == 0 ? "" : "; " + held + " more refused since the last line", cause);
        }
    }

    /** Closes an accepted socket the server will not serve, counted as rejected. */
    private void refuse(AbstractSocketIo socket) {
        slotReleased();
        rejected.incrementAndGet();
        socket.closeSocket();
    }

    /**
     * The path between a new connection on {@code loop} and its socket, decided here once for
     * accepted and embedded sockets alike: the socket itself, polled edge-triggered where its
     * transport can (see {@link EpollSocketIo}); or, on a TLS server, the TLS layer in front of
     * it, over a socket left level-triggered, as the handshake, the delegated tasks and the
     * linger rely on readiness being reported again. Before registration. {@code peerHost} and
     * {@code peerPort} name the server a client connection goes to ({@code null} and 0 on a
     * server), which TLS sends by SNI and checks the certificate against.
     */
    SocketIo connectionIo(AbstractSocketIo socket, GevLoop loop) {
        return connectionIo(socket, loop, null, 0);
    }

    /** {@link #connectionIo(AbstractSocketIo, GevLoop)} of a client's connection to {@code peerHost}. */
    SocketIo connectionIo(AbstractSocketIo socket, GevLoop loop, String peerHost, int peerPort) {
        if (tls != null) {
            return new TlsSocketIo(socket, tls, loop, peerHost, peerPort);
        }
        socket.pollEdgeTriggered();
        return socket;
    }

    private boolean reserveSlot() {
        int open = openSlots.incrementAndGet();
        int maxConnections = options.maxConnections();
        if (maxConnections > 0 && open > maxConnections) {
            openSlots.decrementAndGet();
            return false;
        }
        return true;
    }

    void slotReleased() {
        openSlots.decrementAndGet();
    }

    boolean isStopping() {
        return stopping;
    }

    // ---- stop -------------------------------------------------------------------------------

    @Override
    public void stop(Duration grace) {
        synchronized (this) {
            if (state == State.NEW) {
                state = State.STOPPED;
                return;
            }
            if (state != State.RUNNING) {
                return;
            }
            for (GevLoop loop : loops) {
                if (loop.inEventLoop()) {
                    throw new IllegalStateException("stop() was called on loop thread " + Thread.currentThread().getName()
                            + ", which it would have to wait for; call it from another thread");
                }
            }
            state = State.STOPPING;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        drained = new CountDownLatch(loops.size());
        stopping = true;
        closeListeners();
        for (GevLoop loop : loops) {
            loop.netty().execute(loop::beginShutdown);
        }
        try {
            if (!drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.info("gev server '{}': grace period of {} ended with {} connections still writing; closing them",
                        name, grace, stats.activeConnections());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (GevLoop loop : loops) {
            loop.netty().submit(() -> {
                loop.closeAll(CloseReason.SHUTDOWN);
                loop.retire();
                loop.releaseBuffers();
            }).syncUninterruptibly();
        }
        awaitOffloadedCallbacks(deadline);
        releaseGroup();
        if (tls != null) {
            tls.shutdown();
        }
        synchronized (this) {
            state = State.STOPPED;
        }
        protocolErrors.flush();
        tlsFailures.flush();
        refusals.flush();
        if (listens) {
            log.info("gev server '{}' on {} stopped", name, where());
        } else {
            log.info("gev client '{}' stopped", name);
        }
    }

    /** Lets the offloaded callbacks of the closes (their onClose) run, within what is left of the grace period. */
    private void awaitOffloadedCallbacks(long deadline) {
        if (offloaded == null) {
            return;
        }
        try {
            if (!offloaded.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                log.info("gev server '{}': grace period ended with the handler's callbacks of {} connections still running",
                        name, offloaded.activeQueues());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void loopDrained(GevLoop loop) {
        CountDownLatch latch = drained;
        if (stopping && latch != null && loop.markDrained()) {
            latch.countDown();
        }
    }

    private void closeListeners() {
        for (int i = 0; i < listeners.size(); i++) {
            ListeningSocket listener = listeners.get(i);
            EventExecutor loop = listenerLoops.get(i);
            try {
                loop.submit(listener::close).syncUninterruptibly();
            } catch (RuntimeException e) {
                listener.close();
            }
        }
        listeners.clear();
        listenerLoops.clear();
    }

    /** Leaves the loop group: a group of the server's own stops with it, a shared one runs on. */
    private void releaseGroup() {
        if (!attached) {
            return;
        }
        attached = false;
        group.detach(this);
        if (ownsGroup) {
            group.shutdown();
        }
    }

    // ---- accessors --------------------------------------------------------------------------

    @Override
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    @Override
    public boolean hasRun() {
        return state != State.NEW;
    }

    public String name() {
        return name;
    }

    /** The protocol every connection of the server speaks. */
    @Override
    public Protocol<?> protocol() {
        return protocol;
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress a = localAddress;
        if (a == null && unixSocket != null) {
            throw new IllegalStateException("Server '" + name + "' listens on the Unix domain socket "
                    + unixSocket + ", which has no IP address and port");
        }
        if (a == null) {
            throw new IllegalStateException("Server '" + name + "' is not bound; call start() first");
        }
        return a;
    }

    @Override
    public Transport transport() {
        Transport t = transport;
        return t != null ? t : options.transport();
    }

    @Override
    public List<EventLoop> loops() {
        return Collections.unmodifiableList(loops);
    }

    @Override
    public EventLoop timerLoop() {
        List<GevLoop> l = loops;
        if (l.isEmpty() || state != State.RUNNING) {
            throw new IllegalStateException("Server '" + name + "' is not running; start it before scheduling timers");
        }
        return l.get(0);
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    @Override
    public String toString() {
        return "name=" + name + ", address=" + where() + ", state=" + state;
    }

    /** Where the server listens, for logs: its socket file, its bound address, or what it is to bind. */
    private Object where() {
        return unixSocket != null ? "unix:" + unixSocket
                : localAddress != null ? localAddress : options.address().orElse("*") + ":" + options.port();
    }

    private final class Stats implements ServerStats {

        @Override
        public int activeConnections() {
            int sum = 0;
            for (GevLoop loop : loops) {
                sum += loop.connectionCount();
            }
            return sum;
        }

        @Override
        public long acceptedConnections() {
            return sum(loop -> loop.accepted);
        }

        @Override
        public long closedConnections(CloseReason reason) {
            if (reason == CloseReason.REJECTED) {
                return rejected.get();
            }
            int index = reason.ordinal();
            return sum(loop -> loop.closed[index]);
        }

        @Override
        public long bytesIn() {
            return sum(loop -> loop.bytesIn);
        }

        @Override
        public long bytesOut() {
            return sum(loop -> loop.bytesOut);
        }

        @Override
        public long messagesIn() {
            return sum(loop -> loop.messagesIn);
        }

        @Override
        public long messagesOut() {
            return sum(loop -> loop.messagesOut);
        }

        @Override
        public long writeBufferBytes() {
            return sum(loop -> loop.writeBufferBytes);
        }

        private long sum(java.util.function.ToLongFunction<GevLoop> counter) {
            long sum = 0;
            for (GevLoop loop : loops) {
                sum += counter.applyAsLong(loop);
            }
            return sum;
        }

        @Override
        public int pendingTasks(int loop) {
            GevLoop l = loop(loop);
            return l == null ? 0 : l.pendingTasks();
        }

        @Override
        public int connections(int loop) {
            GevLoop l = loop(loop);
            return l == null ? 0 : l.connectionCount();
        }

        @Override
        public long writeBufferBytes(int loop) {
            GevLoop l = loop(loop);
            return l == null ? 0 : l.writeBufferBytes;
        }

        /** Loop {@code index} of the current run; {@code null} before the loops exist. */
        private GevLoop loop(int index) {
            List<GevLoop> started = loops;
            return index < started.size() ? started.get(index) : null;
        }

        @Override
        public int tlsSessions() {
            return (int) sum(loop -> loop.tlsSessions);
        }

        @Override
        public long tlsHandshakes() {
            return sum(loop -> loop.tlsHandshakes);
        }

        @Override
        public long tlsHandshakeNanos() {
            return sum(loop -> loop.tlsHandshakeNanos);
        }

        @Override
        public long handlerBacklog() {
            return sum(loop -> loop.handlerBacklog);
        }

        @Override
        public int upgradedConnections() {
            return (int) sum(loop -> loop.upgradedConnections);
        }

        @Override
        public long upgrades() {
            return sum(loop -> loop.upgrades);
        }

        @Override
        public long upgradeNanos() {
            return sum(loop -> loop.upgradeNanos);
        }

        @Override
        public long blockedLoopStalls() {
            return group.blockedLoopStalls();
        }

        @Override
        public int loops() {
            return loopCount;
        }
    }
}
