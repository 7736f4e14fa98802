package io.gev.internal.transport;

import io.gev.PeerCredentials;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Limits;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;

/**
 * A connection's socket on Netty's native epoll, accepted or connected by a client: edge-triggered, or level-triggered under TLS (as
 * {@code ServerEngine.connectionIo} decides).
 *
 * <p>Level triggering puts every reported fd back on epoll's ready list, so the next
 * {@code epoll_wait} polls it again and reports it again while it has bytes: work for the kernel
 * on every wait, and an order that favours the connections served last (a higher tail latency
 * under many busy connections). Edge triggering reports a socket only when something new
 * happens, which asks two things of the reader, as no new edge comes otherwise: after the peer
 * half-closed (RDHUP) it reads on to the end of stream past short reads, and when the reads of
 * one event run out with bytes possibly left it reads on in a task of its loop.
 */
public final class EpollSocketIo extends AbstractSocketIo implements EpollIoHandle {

    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    // Netty has no constant for EPOLLHUP, but the kernel reports it (netty-iohandle notes, §1).
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;

    private static final EpollIoOps READ = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps READ_WRITE = READ.with(EpollIoOps.EPOLLOUT);
    private static final EpollIoOps WRITE = EpollIoOps.EPOLLOUT;
    // Write interest is armed only while bytes remain after a write that stopped short (the socket
    // buffer was full), so the edge of it draining always comes.
    private static final EpollIoOps ET_READ = READ.with(EpollIoOps.EPOLLET);
    private static final EpollIoOps ET_READ_WRITE = READ_WRITE.with(EpollIoOps.EPOLLET);
    private static final EpollIoOps ET_WRITE = WRITE.with(EpollIoOps.EPOLLET);
    // Never submit NONE: in Netty 4.2.15 it deletes the fd from epoll while the registration
    // stays "added", and the next submit fails with ENOENT. EPOLLERR alone means "nothing".
    private static final EpollIoOps IDLE = EpollIoOps.EPOLLERR;

    private final LinuxSocket socket;
    /** A Unix domain socket: no IP addresses, and credentials instead. */
    private final boolean domain;

    /**
     * @param domain whether {@code socket} is a Unix domain socket
     */
    public EpollSocketIo(LinuxSocket socket, boolean domain) {
        super(true); // EPOLLET is there to use (see pollEdgeTriggered)
        this.socket = socket;
        this.domain = domain;
    }

    LinuxSocket socket() {
        return socket;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ops = ((EpollIoEvent) event).ops().value();
        // ERR and HUP count as readable: the read that follows reports the error or the EOF, which
        // may sit behind this event's bytes.
        dispatch((ops & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0, (ops & EPOLLOUT) != 0,
                (ops & (EPOLLERR | EPOLLHUP)) != 0, (ops & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0);
    }

    @Override
    public IoOps ops(boolean read, boolean write) {
        if (edgeTriggered()) {
            return read ? (write ? ET_READ_WRITE : ET_READ) : (write ? ET_WRITE : IDLE);
        }
        return read ? (write ? READ_WRITE : READ) : (write ? WRITE : IDLE);
    }

    // Single-buffer I/O uses recv(2)/send(2) on the buffer's native address, as Netty's own
    // channels do. read(2)/write(2) on a socket go through the VFS layer first (fdget_pos and
    // friends: about 4% of the loop thread in CPU profiles of small-message echo), and Netty's
    // ByteBuffer variants look the address up through JNI (GetDirectBufferAddress with an
    // IsInstanceOf check, about 2% more) on every call. Same results, same EOF and EAGAIN
    // conventions. gev's buffers are direct; a heap buffer takes Netty's ByteBuffer path.
    @Override
    protected int receive(ByteBuffer dst) throws IOException {
        int position = dst.position();
        int n = dst.isDirect() ? socket.recvAddress(Buffer.memoryAddress(dst), position, dst.limit())
                : socket.recv(dst, position, dst.limit());
        if (n > 0) {
            dst.position(position + n);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        if (count == 1) {
            ByteBuffer b = srcs[0];
            return b.isDirect() ? socket.sendAddress(Buffer.memoryAddress(b), b.position(), b.limit())
                    : socket.send(b, b.position(), b.limit());
        }
        return socket.writev(srcs, 0, count, Limits.SSIZE_MAX);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdown(false, true);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return domain ? null : socket.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return domain ? null : socket.localAddress();
    }

    @Override
    public PeerCredentials peerCredentials() {
        if (!domain) {
            return null;
        }
        try {
            // SO_PEERCRED is package-private on LinuxSocket; Netty's domain channel is its public
            // door. Built over this socket only to ask, never registered or closed (the socket is
            // this object's): a few objects once per connection that asks.
            io.netty.channel.unix.PeerCredentials c = new EpollDomainSocketChannel(null, socket).peerCredentials();
            return PeerCredentials.ofIds(c.pid(), c.uid(), c.gids().length > 0 ? c.gids()[0] : -1);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected void closeChannel() throws IOException {
        socket.close();
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        // Netty's native connect takes its own type for a socket file.
        return socket.connect(remote instanceof UnixDomainSocketAddress
                ? new DomainSocketAddress(((UnixDomainSocketAddress) remote).getPath().toFile()) : remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return socket.finishConnect();
    }

    @Override
    protected IoOps connectOps() {
        return ops(false, true);
    }
}
