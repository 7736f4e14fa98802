package io.gev.internal.engine;

import io.gev.ServerStartException;
import io.gev.internal.transport.EpollTransport;
import io.gev.internal.transport.NioTransport;
import io.gev.internal.transport.TransportSupport;
import io.gev.internal.watchdog.LoopProgress;
import io.gev.internal.watchdog.LoopWatchdog;
import io.gev.loop.Transport;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads that servers run their connections on: worker loops, one acceptor loop for the
 * listeners, and the watchdog over both. A server either owns one (made from its options and
 * shut down with it) or shares one ({@code io.gev.EventLoops}) with other servers: each server
 * keeps its own listener, limits, counters and connection lists on those threads.
 *
 * <p>Threads start when the first server attaches. Public only for {@code io.gev.EventLoops},
 * which is the API; thread-safe.
 */
public final class LoopGroup {

    private final String name;
    private final String owner;
    private final int size;
    private final Transport requested;
    private final boolean daemonThreads;
    private final Duration blockedLoopWarning;
    private final boolean withAcceptor;

    private final Set<Member> attached = new LinkedHashSet<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private Transport transport;
    private TransportSupport support;
    private LoopProgress.Factory handlers;
    private MultiThreadIoEventLoopGroup workerGroup;
    private List<EventExecutor> workers = List.of();
    private MultiThreadIoEventLoopGroup acceptGroup;
    private IoEventLoop acceptor;
    private LoopWatchdog watchdog;
    /** Written by the watchdog thread when it reports a stall: rare, so an atomic costs nothing. */
    private final AtomicLong blockedLoopStalls = new AtomicLong();
    private boolean shutdown;

    /** What runs on a group: a TCP server or client engine, or a datagram server's. */
    interface Member {
        /** The name the group's error messages and {@link #servers()} give it. */
        String name();
    }

    private LoopGroup(String name, String owner, int loops, Transport transport, boolean daemonThreads,
            Duration blockedLoopWarning, boolean withAcceptor) {
        this.name = Objects.requireNonNull(name, "name");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.size = loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
        this.requested = Objects.requireNonNull(transport, "transport");
        this.daemonThreads = daemonThreads;
        this.blockedLoopWarning = Objects.requireNonNull(blockedLoopWarning, "blockedLoopWarning");
        this.withAcceptor = withAcceptor;
    }

    /**
     * A group, not started, of {@code loops} worker loops (0: one per processor) on
     * {@code transport}, whose threads are named {@code gev-<name>-<i>}; a loop busy for longer
     * than {@code blockedLoopWarning} is reported ({@link Duration#ZERO}: never); with
     * {@code withAcceptor}, one more loop accepts for every server's listener (without, only
     * servers that listen on each worker loop, with reusePort, can start); {@code owner} is how
     * the watchdog's log lines name the group's user ({@code gev server 'echo'}). Arguments are
     * checked by the caller.
     */
    public static LoopGroup create(String name, String owner, int loops, Transport transport, boolean daemonThreads,
            Duration blockedLoopWarning, boolean withAcceptor) {
        return new LoopGroup(name, owner, loops, transport, daemonThreads, blockedLoopWarning, withAcceptor);
    }

    public String name() {
        return name;
    }

    /** The number of worker loops. */
    public int size() {
        return size;
    }

    /** The transport as requested, or as resolved once started. */
    public synchronized Transport transport() {
        return transport != null ? transport : requested;
    }

    /** The servers running on the group now. */
    public synchronized List<String> servers() {
        List<String> names = new ArrayList<>();
        for (Member engine : attached) {
            names.add(engine.name());
        }
        return names;
    }

    /** Stalls the watchdog reported on these loops since they started, whichever server's code blocked. */
    long blockedLoopStalls() {
        return blockedLoopStalls.get();
    }

    public synchronized boolean isShutdown() {
        return shutdown;
    }

    /**
     * Attaches {@code engine}, starting the threads if they are not running yet.
     *
     * @throws ServerStartException when the requested transport is missing
     * @throws IllegalStateException when the group was shut down
     */
    synchronized void attach(Member engine) {
        if (shutdown) {
            throw new IllegalStateException("The event loops '" + name + "' were shut down; server '"
                    + engine.name() + "' cannot start on them");
        }
        if (workerGroup == null) {
            startThreads();
        }
        attached.add(engine);
    }

    /** Detaches {@code engine}; the threads keep running for the other servers and later ones. */
    synchronized void detach(Member engine) {
        attached.remove(engine);
    }

    private void startThreads() {
        Transport resolved = resolve(requested);
        support = resolved == Transport.EPOLL ? new EpollTransport() : new NioTransport();
        handlers = new LoopProgress.Factory(support.ioHandlerFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(size, threadFactory("gev-" + name + "-"), handlers);
        List<EventExecutor> created = new ArrayList<>(size);
        for (EventExecutor executor : workerGroup) {
            created.add(executor);
            // Netty starts a loop's thread on its first task, and the thread factory numbers
            // threads in the order they start: start them in index order, so that loop i runs
            // on thread gev-<name>-i, as logs and the blocked-loop warning say.
            executor.execute(() -> { });
        }
        workers = Collections.unmodifiableList(created);
        transport = resolved;
        if (withAcceptor) {
            acceptGroup = new MultiThreadIoEventLoopGroup(1, threadFactory("gev-" + name + "-accept"), handlers);
            acceptor = acceptGroup.next();
        }
        if (!blockedLoopWarning.isZero()) {
            List<LoopProgress> watched = new ArrayList<>();
            for (EventExecutor executor : created) {
                watched.add(handlers.of(executor));
            }
            if (acceptor != null) {
                watched.add(handlers.of(acceptor));
            }
            watchdog = new LoopWatchdog(name, owner, watched, blockedLoopWarning.toNanos(), blockedLoopStalls::incrementAndGet);
            watchdog.start();
        }
    }

    private static Transport resolve(Transport requested) {
        switch (requested) {
            case NIO:
                return Transport.NIO;
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new ServerStartException("Transport EPOLL was requested but Netty's native epoll is "
                            + "unavailable: " + Epoll.unavailabilityCause(), null, 0, Epoll.unavailabilityCause());
                }
                return Transport.EPOLL;
            default:
                return Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        }
    }

    /** The worker loops, in index order; the group is started. */
    synchronized List<EventExecutor> workers() {
        return workers;
    }

    synchronized TransportSupport support() {
        return support;
    }

    /** The blocked-loop watchdog's view of {@code executor}, one of the group's loops. */
    synchronized LoopProgress progress(EventExecutor executor) {
        return handlers.of(executor);
    }

    /** The loop listeners accept on, one for every server of the group; {@code null} without. */
    synchronized IoEventLoop acceptor() {
        return acceptor;
    }

    /**
     * Stops the threads and waits for them; does nothing when not started or already shut down.
     *
     * @throws IllegalStateException while a server still runs on the group (it names them)
     */
    public void shutdown() {
        MultiThreadIoEventLoopGroup[] groups;
        synchronized (this) {
            if (!attached.isEmpty()) {
                throw new IllegalStateException("The event loops '" + name + "' still run servers " + servers()
                        + "; stop them first");
            }
            if (shutdown) {
                return;
            }
            shutdown = true;
            groups = new MultiThreadIoEventLoopGroup[] {acceptGroup, workerGroup};
        }
        // Before the loops end: a loop that ended while running a task would look blocked.
        if (watchdog != null) {
            watchdog.stop();
        }
        for (MultiThreadIoEventLoopGroup group : groups) {
            if (group != null) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
        }
        for (MultiThreadIoEventLoopGroup group : groups) {
            if (group != null) {
                group.terminationFuture().syncUninterruptibly();
            }
        }
        // Termination completes from inside the loop thread, just before it exits: join it, so
        // that "shut down" means no gev thread is left.
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ThreadFactory threadFactory(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        boolean single = prefix.endsWith("accept");
        return runnable -> {
            String threadName = single ? prefix : prefix + counter.getAndIncrement();
            Thread thread = new FastThreadLocalThread(runnable, threadName);
            thread.setDaemon(daemonThreads);
            threads.add(thread);
            return thread;
        };
    }

    @Override
    public String toString() {
        return "EventLoops[name=" + name + ", loops=" + size + ", transport=" + transport() + "]";
    }
}
