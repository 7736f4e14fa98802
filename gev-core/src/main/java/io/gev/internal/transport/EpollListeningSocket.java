package io.gev.internal.transport;

import io.gev.ServerOptions;
import io.netty.channel.IoOps;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.net.SocketAddress;

/** A listening socket on native epoll. */
public final class EpollListeningSocket extends ListeningSocket implements EpollIoHandle {

    private final LinuxSocket socket;
    // accept4 writes the peer address here: length, address bytes, scope id, port.
    private final byte[] address = new byte[26];
    private final SocketAddress localAddress;
    /** A Unix domain socket's listener: its sockets have no TCP options and no IP addresses. */
    private final boolean domain;

    EpollListeningSocket(LinuxSocket socket, ServerOptions options, Acceptor acceptor, boolean domain) {
        super(options, acceptor);
        this.socket = socket;
        this.domain = domain;
        this.localAddress = domain ? socket.localDomainSocketAddress() : socket.localAddress();
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    AbstractSocketIo acceptOne() throws IOException {
        int fd = socket.accept(address);
        return fd == -1 ? null : new EpollSocketIo(LinuxSocket.newSocket(fd), domain);
    }

    @Override
    void configure(AbstractSocketIo accepted, ServerOptions options) throws IOException {
        EpollTransport.configure(((EpollSocketIo) accepted).socket(), options, domain);
    }

    @Override
    IoOps acceptOps() {
        return EpollIoOps.EPOLLIN;
    }

    @Override
    IoOps pausedOps() {
        return EpollIoOps.EPOLLERR;
    }

    @Override
    void closeSocket() throws IOException {
        socket.close();
    }
}
