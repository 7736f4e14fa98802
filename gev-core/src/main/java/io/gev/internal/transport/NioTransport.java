package io.gev.internal.transport;

import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoEventLoop;
import io.gev.ServerOptions;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

public final class NioTransport implements TransportSupport {

    static void configure(SocketChannel channel, ServerOptions options, boolean domain) throws IOException {
        channel.configureBlocking(false);
        if (!domain) { // TCP's options; a Unix domain socket refuses them
            channel.setOption(StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
            if (options.keepAlive()) {
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
        }
        if (options.sendBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
    }

    @Override
    public AbstractSocketIo newSocket(SocketAddress remote, ServerOptions options) throws IOException {
        boolean domain = remote instanceof UnixDomainSocketAddress;
        SocketChannel channel = domain ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            configure(channel, options, domain);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new NioSocketIo(channel, domain);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    public ListeningSocket bind(ServerOptions options, InetSocketAddress address, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        NioListeningSocket listener;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(address, options.backlog());
            listener = new NioListeningSocket(channel, options, acceptor);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        listener.register(loop, progress);
        return listener;
    }

    @Override
    public ListeningSocket bindUnix(ServerOptions options, Path file, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException {
        UnixSockets.makeWay(file);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        NioListeningSocket listener;
        try {
            channel.configureBlocking(false);
            // The JDK binds and listens in one call, so the permissions come a moment after (see
            // ServerOptions.unixSocketPermissions).
            channel.bind(UnixDomainSocketAddress.of(file), options.backlog());
            listener = UnixSockets.bound(file, options, () -> new NioListeningSocket(channel, options, acceptor));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        listener.register(loop, progress);
        return listener;
    }
}
