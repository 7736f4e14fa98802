package io.gev.internal.transport;

import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoEventLoop;
import io.gev.ServerOptions;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

public final class EpollTransport implements TransportSupport {

    static void configure(LinuxSocket socket, ServerOptions options, boolean domain) throws IOException {
        if (!domain) { // TCP's options; a Unix domain socket refuses them
            socket.setTcpNoDelay(options.tcpNoDelay());
            if (options.keepAlive()) {
                socket.setKeepAlive(true);
            }
        }
        if (options.sendBufferSize() > 0) {
            socket.setSendBufferSize(options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            socket.setReceiveBufferSize(options.receiveBufferSize());
        }
    }

    @Override
    public AbstractSocketIo newSocket(SocketAddress remote, ServerOptions options) throws IOException {
        boolean domain = remote instanceof UnixDomainSocketAddress;
        LinuxSocket socket = domain ? LinuxSocket.newSocketDomain()
                : LinuxSocket.newSocketStream(((InetSocketAddress) remote).getAddress() instanceof Inet6Address);
        try {
            configure(socket, options, domain);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new EpollSocketIo(socket, domain);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    @Override
    public ListeningSocket bind(ServerOptions options, InetSocketAddress address, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException {
        LinuxSocket socket = address.getAddress().isAnyLocalAddress()
                ? LinuxSocket.newSocketStream()
                : LinuxSocket.newSocketStream(address.getAddress() instanceof Inet6Address);
        try {
            socket.setReuseAddress(true);
            if (options.reusePort()) {
                socket.setReusePort(true);
            }
            socket.bind(address);
            socket.listen(options.backlog());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        EpollListeningSocket listener = new EpollListeningSocket(socket, options, acceptor, false);
        listener.register(loop, progress);
        return listener;
    }

    @Override
    public ListeningSocket bindUnix(ServerOptions options, Path file, IoEventLoop loop, LoopProgress progress,
            Acceptor acceptor) throws IOException, InterruptedException {
        UnixSockets.makeWay(file);
        LinuxSocket socket = LinuxSocket.newSocketDomain();
        EpollListeningSocket listener;
        try {
            socket.bind(new DomainSocketAddress(file.toFile()));
            // listen(2) after the permissions, while a connect is still refused: nobody gets in past them.
            listener = UnixSockets.bound(file, options, () -> {
                socket.listen(options.backlog());
                return new EpollListeningSocket(socket, options, acceptor, true);
            });
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        listener.register(loop, progress);
        return listener;
    }
}
