package io.gev.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

final class NioTransport implements TransportSupport {

    static void configure(SocketChannel channel, ServerEngine engine) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, engine.tcpNoDelay);
        if (engine.keepAlive) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
        if (engine.sendBufferSize > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, engine.sendBufferSize);
        }
        if (engine.receiveBufferSize > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, engine.receiveBufferSize);
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
            if (engine.reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(address, engine.backlog);
            listener = new NioListeningSocket(channel, engine, acceptor);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        listener.register(loop);
        return listener;
    }
}
