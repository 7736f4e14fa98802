package io.gev.internal.transport;

import io.gev.ServerOptions;
import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * What differs between epoll and NIO. The epoll implementation is only loaded when epoll is in
 * use, because loading Netty's epoll classes requires the native library.
 */
public interface TransportSupport {

    IoHandlerFactory ioHandlerFactory();

    /**
     * Binds a listening socket with {@code options} and registers it on {@code loop}, whose thread
     * will accept and hand each socket to {@code acceptor}; blocks until it is ready.
     *
     * @param progress what the blocked-loop watchdog reads of {@code loop}
     */
    ListeningSocket bind(ServerOptions options, InetSocketAddress address, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException;

    /**
     * Binds a listening Unix domain socket at {@code file} with {@code options} (its permissions,
     * backlog, buffer sizes), replacing a stale file and refusing one in use, and registers it on
     * {@code loop} as {@link #bind} does; the listener removes the file when it closes.
     */
    ListeningSocket bindUnix(ServerOptions options, Path file, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException;

    /**
     * A new non-blocking socket with {@code options}' socket options, not connected, of the
     * address family of {@code remote} (IPv4, IPv6, or a Unix domain socket); a client connects it.
     */
    AbstractSocketIo newSocket(SocketAddress remote, ServerOptions options) throws IOException;
}
