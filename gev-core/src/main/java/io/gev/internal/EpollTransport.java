package io.gev.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

final class EpollTransport implements TransportSupport {

    static void configure(LinuxSocket socket, ServerEngine engine) throws IOException {
        socket.setTcpNoDelay(engine.tcpNoDelay);
        if (engine.keepAlive) {
            socket.setKeepAlive(true);
        }
        if (engine.sendBufferSize > 0) {
            socket.setSendBufferSize(engine.sendBufferSize);
        }
        if (engine.receiveBufferSize > 0) {
            socket.setReceiveBufferSize(engine.receiveBufferSize);
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
            if (engine.reusePort) {
                socket.setReusePort(true);
            }
            socket.bind(address);
            socket.listen(engine.backlog);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        EpollListeningSocket listener = new EpollListeningSocket(socket, engine, acceptor);
        listener.register(loop);
        return listener;
    }
}
