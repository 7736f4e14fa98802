package io.gev.internal;

import io.netty.channel.IoHandlerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What differs between epoll and NIO. The epoll implementation is only loaded when epoll is in
 * use, because loading Netty's epoll classes requires the native library.
 */
interface TransportSupport {

    IoHandlerFactory ioHandlerFactory();

    /**
     * Binds a listening socket and registers it on {@code loop}, whose thread will accept; blocks
     * until it is ready. {@code acceptor} is the worker loop that owns what it accepts, or
     * {@code null} when the load balancer chooses.
     */
    ListeningSocket bind(ServerEngine engine, InetSocketAddress address, GevLoop loop, GevLoop acceptor)
            throws IOException, InterruptedException;
}
