package io.gev.internal;

import io.gev.ServerOptions;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

final class EpollTransport implements TransportSupport {

    static void configure(LinuxSocket socket, ServerOptions options) throws IOException {
        socket.setTcpNoDelay(options.tcpNoDelay());
        if (options.keepAlive()) {
            socket.setKeepAlive(true);
        }
        if (options.sendBufferSize() > 0) {
            socket.setSendBufferSize(options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            socket.setReceiveBufferSize(options.receiveBufferSize());
        }
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    @Override
    public ListeningSocket bind(ServerEngine engine, InetSocketAddress address, GevLoop loop, GevLoop acceptor)
            throws IOException, InterruptedException {
        LinuxSocket socket = address.getAddress().isAnyLocalAddress()
                ? LinuxSocket.newSocketStream()
                : LinuxSocket.newSocketStream(address.getAddress() instanceof Inet6Address);
        try {
            socket.setReuseAddress(true);
            if (engine.options.reusePort()) {
                socket.setReusePort(true);
            }
            socket.bind(address);
            socket.listen(engine.options.backlog());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        EpollListeningSocket listener = new EpollListeningSocket(socket, engine, acceptor);
        listener.register(loop);
        return listener;
    }
}
