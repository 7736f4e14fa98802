package io.gev.internal;

import io.gev.ServerOptions;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

final class NioTransport implements TransportSupport {

    static void configure(SocketChannel channel, ServerOptions options) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
        if (options.keepAlive()) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
        if (options.sendBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    public ListeningSocket bind(ServerEngine engine, InetSocketAddress address, GevLoop loop, GevLoop acceptor)
            throws IOException, InterruptedException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        NioListeningSocket listener;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (engine.options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(address, engine.options.backlog());
            listener = new NioListeningSocket(channel, engine, acceptor);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        listener.register(loop);
        return listener;
    }
}
