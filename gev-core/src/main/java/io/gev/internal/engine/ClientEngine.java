package io.gev.internal.engine;

import io.gev.ClientOptions;
import io.gev.CloseReason;
import io.gev.ConnectTimeoutException;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Reconnect;
import io.gev.ServerOptions;
import io.gev.ServerStats;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.transport.EventSink;
import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machinery behind {@link io.gev.Client}: it resolves, connects and reconnects, and hands each
 * connected socket to a {@link ServerEngine} that listens nowhere, which runs the connections as
 * it runs a server's (limits, counters, idle sweep, TLS, graceful stop). What a connection does
 * before it opens (resolving, connecting, a timeout) is an {@link Attempt}; what it was asked to
 * connect to is a {@link Target}, which outlives its connections when it reconnects.
 */
final class ClientEngine implements ClientRuntime, ConnectionHooks {

    private static final Logger log = LoggerFactory.getLogger(ClientEngine.class);

    private final ServerEngine engine;
    private final String name;
    private final long connectTimeoutNanos;
    /** {@code null} when lost connections stay lost. */
    private final Reconnect reconnect;
    /** Runs the blocking name lookups, which must not run on a loop. */
    private final ThreadPoolExecutor resolver;
    /** The target of each connection made and not closed yet. */
    private final Map<AbstractConnection, Target> targets = new ConcurrentHashMap<>();
    /** Targets whose future is not complete: failed when the client stops. */
    private final Set<Target> pending = ConcurrentHashMap.newKeySet();
    /** Attempts connecting now: failed when the client stops, since shared loops run on. */
    private final Set<Attempt> connecting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private volatile boolean stopping;

    ClientEngine(ClientOptions options, ServerOptions connection, Handler<?> handler, Protocol<?> protocol,
            LoopGroup shared) {
        this.name = options.name();
        this.engine = new ServerEngine(connection, handler, protocol, shared, false, this,
                "gev client '" + name + "'");
        this.connectTimeoutNanos = options.connectTimeout().toNanos();
        this.reconnect = options.reconnect().orElse(null);
        AtomicInteger threads = new AtomicInteger();
        this.resolver = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "gev-" + name + "-resolver-" + threads.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        this.resolver.allowCoreThreadTimeOut(true);
    }

    @Override
    public void start() {
        engine.start();
    }

    @Override
    public boolean isRunning() {
        return engine.isRunning() && !stopping;
    }

    @Override
    public boolean hasRun() {
        return engine.hasRun();
    }

    @Override
    public Transport transport() {
        return engine.transport();
    }

    @Override
    public List<EventLoop> loops() {
        return engine.loops();
    }

    @Override
    public ServerStats stats() {
        return engine.stats();
    }

    // ---- connecting -------------------------------------------------------------------------

    @Override
    public CompletableFuture<Connection> connect(SocketAddress address, Map<String, ?> attributes) {
        if (stopping || !engine.isRunning()) {
            throw new IllegalStateException("Client '" + name + "' is not running");
        }
        Target target = new Target(address, attributes, pickLoop());
        pending.add(target);
        target.future.whenComplete((c, e) -> pending.remove(target));
        attempt(target);
        return target.future;
    }

    /**
     * The caller's loop when it is one of the client's (a proxy connecting from its inbound
     * connection's callback keeps both on one thread), else the next in turn.
     */
    private GevLoop pickLoop() {
        List<GevLoop> loops = engine.gevLoops();
        for (GevLoop loop : loops) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    /** Resolves the target's address off the loop if need be, then connects on its loop. Any thread. */
    private void attempt(Target target) {
        SocketAddress address = target.address;
        if (!(address instanceof InetSocketAddress) || !((InetSocketAddress) address).isUnresolved()) {
            onLoop(target, () -> open(target, address));
            return;
        }
        try {
            resolver.execute(() -> {
                InetSocketAddress resolved;
                try {
                    resolved = new InetSocketAddress(InetAddress.getByName(target.host), target.port);
                } catch (UnknownHostException e) {
                    UnknownHostException failure = new UnknownHostException("gev client '" + name
                            + "': cannot resolve host '" + target.host + "': " + e.getMessage());
                    failure.initCause(e);
                    onLoop(target, () -> attemptFailed(target, failure));
                    return;
                }
                onLoop(target, () -> open(target, resolved));
            });
        } catch (RejectedExecutionException e) {
            target.future.completeExceptionally(stopped(target));
        }
    }

    private void onLoop(Target target, Runnable task) {
        try {
            target.loop.netty().execute(task);
        } catch (RejectedExecutionException e) {
            target.future.completeExceptionally(stopped(target));
        }
    }

    /** Makes a socket and starts connecting it to {@code remote}. Loop thread. */
    private void open(Target target, SocketAddress remote) {
        if (stopping) {
            target.future.completeExceptionally(stopped(target));
            return;
        }
        if (target.future.isCancelled()) {
            return;
        }
        AbstractSocketIo socket;
        try {
            socket = engine.support().newSocket(remote, engine.options);
        } catch (IOException e) {
            attemptFailed(target, connectFailed(target, remote, e));
            return;
        }
        Attempt attempt = new Attempt(target, remote, socket, engine.newConnection(socket, target.loop,
                target.host, target.port));
        connecting.add(attempt);
        target.loop.ioLoop().register(socket).addListener(f -> {
            if (f.isSuccess()) {
                attempt.registered((IoRegistration) f.getNow());
            } else {
                attempt.failed(connectFailed(target, remote, f.cause()));
            }
        });
    }

    /**
     * One socket connecting: it takes the socket's events until the connect ends, then hands
     * the socket to its connection (or its TLS layer) and the connection to {@link Opening}.
     * Loop thread.
     */
    private final class Attempt extends EventSink {
        final Target target;
        final SocketAddress remote;
        final AbstractSocketIo socket;
        final ConnectionImpl connection;
        /** Where the socket's events go once connected. */
        private EventSink next;
        private ScheduledFuture<?> timer;
        private boolean done;

        Attempt(Target target, SocketAddress remote, AbstractSocketIo socket, ConnectionImpl connection) {
            this.target = target;
            this.remote = remote;
            this.socket = socket;
            this.connection = connection;
        }

        void registered(IoRegistration registration) {
            connection.io().registered(registration);
            next = socket.eventSink();
            socket.redirectEvents(this);
            if (stopping) {
                failed(stopped(target));
                return;
            }
            try {
                if (socket.connect(remote)) {
                    connected();
                    return;
                }
            } catch (IOException e) {
                failed(connectFailed(target, remote, e));
                return;
            }
            socket.awaitConnect();
            if (connectTimeoutNanos > 0) {
                timer = target.loop.netty().schedule(this::timedOut, connectTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void onIoEvent(boolean readable, boolean writable, boolean hangup) {
            if (done) {
                return;
            }
            try {
                if (socket.finishConnect()) {
                    connected();
                }
            } catch (IOException e) {
                failed(connectFailed(target, remote, e));
            } catch (Throwable t) {
                log.error("Unexpected failure connecting {} to {}", connection, remote, t);
                failed(t);
            }
        }

        @Override
        public void socketClosedByLoop() {
            if (!done) {
                failed(stopped(target));
            }
        }

        private void timedOut() {
            if (!done) {
                failed(new ConnectTimeoutException("gev client '" + name + "': connecting to " + describe(target, remote)
                        + " timed out after " + Duration.ofNanos(connectTimeoutNanos)));
            }
        }

        private void connected() {
            finish();
            socket.redirectEvents(next);
            targets.put(connection, target);
            target.attributes.forEach(connection::setAttribute);
            Opening.begin(connection);
        }

        /** The connect failed: the socket closes and the target's future fails, or it tries again. */
        void failed(Throwable failure) {
            if (done) {
                return;
            }
            finish();
            connection.state(ConnectionState.CLOSED);
            socket.closeSocket();
            engine.slotReleased();
            attemptFailed(target, failure);
        }

        private void finish() {
            done = true;
            connecting.remove(this);
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    // ---- after connecting: ConnectionHooks ----------------------------------------------------

    @Override
    public void opened(AbstractConnection c) {
        Target target = targets.get(c);
        if (target == null) {
            return;
        }
        target.attempts = 0;
        target.open = c;
        if (!target.future.complete(c) && target.future.isCancelled()) {
            c.close(); // asked for, then no longer wanted
        }
    }

    @Override
    public void closed(AbstractConnection c, CloseReason reason, Throwable cause) {
        Target target = targets.remove(c);
        if (target == null) {
            return;
        }
        if (target.open != c) {
            attemptFailed(target, closedBeforeOpen(target, c, reason, cause));
            return;
        }
        target.open = null;
        if (reconnect != null && reason != CloseReason.LOCAL && reason != CloseReason.SHUTDOWN && !stopping) {
            reconnectLater(target, cause);
        }
    }

    /** An attempt failed: the client tries again if it reconnects and may, else the future fails. Loop thread. */
    private void attemptFailed(Target target, Throwable failure) {
        if (reconnect == null || stopping || target.future.isCancelled()) {
            target.future.completeExceptionally(failure);
            return;
        }
        if (reconnect.maxAttempts() > 0 && target.attempts >= reconnect.maxAttempts()) {
            log.warn("gev client '{}': giving up on {} after {} attempts: {}", name, target.where(),
                    target.attempts, failure.toString());
            try {
                reconnect.listener().gaveUp(target.address, target.attempts, failure);
            } catch (Throwable t) {
                log.warn("Reconnect listener of gev client '{}' failed", name, t);
            }
            target.future.completeExceptionally(failure);
            return;
        }
        reconnectLater(target, failure);
    }

    private void reconnectLater(Target target, Throwable cause) {
        int attempt = ++target.attempts;
        Duration delay = reconnect.delay(attempt);
        log.info("gev client '{}': connecting to {} again in {} ms (attempt {}){}", name, target.where(),
                delay.toMillis(), attempt, cause == null ? "" : ": " + cause);
        try {
            reconnect.listener().reconnecting(target.address, attempt, delay, cause);
        } catch (Throwable t) {
            log.warn("Reconnect listener of gev client '{}' failed", name, t);
        }
        try {
            target.loop.netty().schedule(() -> {
                if (stopping) {
                    target.future.completeExceptionally(stopped(target));
                } else {
                    attempt(target);
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            target.future.completeExceptionally(stopped(target));
        }
    }

    // ---- stop -------------------------------------------------------------------------------

    @Override
    public void stop(Duration grace) {
        for (GevLoop loop : engine.gevLoops()) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException("stop() was called on loop thread " + Thread.currentThread().getName()
                        + ", which it would have to wait for; call it from another thread");
            }
        }
        stopping = true;
        for (Attempt attempt : connecting) {
            GevLoop loop = attempt.target.loop;
            try {
                loop.netty().execute(() -> attempt.failed(stopped(attempt.target)));
            } catch (RejectedExecutionException e) {
                // Its loop is gone, and the socket with it (socketClosedByLoop).
            }
        }
        engine.stop(grace);
        resolver.shutdownNow();
        for (Target target : pending) {
            target.future.completeExceptionally(stopped(target));
        }
    }

    // ---- failures, each naming the address ----------------------------------------------------

    private String describe(Target target, SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress)) {
            return target.where();
        }
        InetAddress address = ((InetSocketAddress) remote).getAddress();
        String ip = address == null ? null : address.getHostAddress();
        return target.host.equals(ip) ? ip + ":" + target.port : target.where() + " (" + ip + ")";
    }

    private ConnectException connectFailed(Target target, SocketAddress remote, Throwable cause) {
        ConnectException failure = new ConnectException("gev client '" + name + "': cannot connect to "
                + describe(target, remote) + ": " + cause.getMessage());
        failure.initCause(cause);
        return failure;
    }

    private Exception closedBeforeOpen(Target target, AbstractConnection c, CloseReason reason, Throwable cause) {
        if (reason == CloseReason.SHUTDOWN) {
            return stopped(target);
        }
        String where = describe(target, c.remoteAddress() != null ? c.remoteAddress() : target.address);
        if (cause instanceof SSLException) {
            SSLHandshakeException failure = new SSLHandshakeException("gev client '" + name + "': TLS handshake with "
                    + where + " failed: " + cause.getMessage());
            failure.initCause(cause);
            return failure;
        }
        ConnectException failure = new ConnectException("gev client '" + name + "': the connection to " + where
                + " closed before it opened (" + reason.tag() + (cause == null ? "" : ": " + cause) + ")");
        failure.initCause(cause);
        return failure;
    }

    private IllegalStateException stopped(Target target) {
        return new IllegalStateException("gev client '" + name + "' stopped before the connection to "
                + target.where() + " opened");
    }

    /** What {@link #connect} was asked for; its loop, and the state of reconnecting, are the loop's. */
    private static final class Target {
        /** An {@code InetSocketAddress}, resolved or not, or a {@code UnixDomainSocketAddress}. */
        final SocketAddress address;
        final String host;
        final int port;
        final Map<String, ?> attributes;
        final GevLoop loop;
        final CompletableFuture<Connection> future = new CompletableFuture<>();
        /** Attempts to connect again since the last connection opened. */
        int attempts;
        /** The connection open now; {@code null} while none is. */
        AbstractConnection open;

        Target(SocketAddress address, Map<String, ?> attributes, GevLoop loop) {
            this.address = address;
            this.attributes = attributes;
            if (address instanceof InetSocketAddress) {
                this.host = ((InetSocketAddress) address).getHostString();
                this.port = ((InetSocketAddress) address).getPort();
            } else { // a socket file: no host for TLS to check, which Client refuses
                this.host = address.toString();
                this.port = -1;
            }
            this.loop = loop;
        }

        /** The address as messages name it: host and port, or the socket file. */
        String where() {
            return port < 0 ? "unix:" + host : host + ":" + port;
        }
    }
}
