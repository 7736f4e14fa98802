package io.gev.internal.udp;

import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.udp.DatagramOptions;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A datagram socket on native epoll. Netty's {@code recvmmsg}/{@code sendmmsg} and its multicast
 * calls are package-private, so this reads with one {@code recvfrom} per datagram (a batch per
 * readiness event) and sets the multicast options as raw socket options.
 */
public final class EpollDatagramSocket extends DatagramSocketHandle implements EpollIoHandle {

    // Linux <netinet/in.h>, <linux/in6.h>.
    static final int IPPROTO_IP = 0;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int IP_DROP_MEMBERSHIP = 36;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_JOIN_GROUP = 20;
    static final int IPV6_LEAVE_GROUP = 21;
    // <asm-generic/socket.h>, <linux/sock_diag.h>: SO_MEMINFO fills u32 meminfo[SK_MEMINFO_VARS].
    static final int SOL_SOCKET = 1;
    static final int SO_MEMINFO = 55;
    static final int SK_MEMINFO_VARS = 9;
    static final int SK_MEMINFO_DROPS = 8;

    private static final int EPOLLIN = 0x1;
    private static final int EPOLLOUT = 0x4;
    private static final int EPOLLERR = 0x8;
    private static final EpollIoOps READ = EpollIoOps.EPOLLIN;
    private static final EpollIoOps READ_WRITE = READ.with(EpollIoOps.EPOLLOUT);

    private final LinuxSocket socket;
    private final boolean ipv6;
    private final InetSocketAddress localAddress;
    private final long receiveAddress;
    /** Heap payloads are copied here: the native send reads memory, not arrays. */
    private final ByteBuffer sendScratch;
    private final long sendScratchAddress;
    /** Guarded by itself: the stats path only. */
    private final ByteBuffer meminfo = ByteBuffer.allocateDirect(4 * SK_MEMINFO_VARS).order(ByteOrder.nativeOrder());
    private long lastKernelDrops;

    private EpollDatagramSocket(int index, DatagramOptions options, DatagramSink sink, ClientFaultLog faults,
            LinuxSocket socket, boolean ipv6) {
        super(index, options, sink, faults);
        this.socket = socket;
        this.ipv6 = ipv6;
        this.localAddress = socket.localAddress();
        this.receiveAddress = Buffer.memoryAddress(receiveBuffer);
        this.sendScratch = ByteBuffer.allocateDirect(options.maxDatagramSize());
        this.sendScratchAddress = Buffer.memoryAddress(sendScratch);
    }

    /**
     * A socket bound to {@code address} with {@code options}' socket options; {@code iface} is the
     * multicast interface, or {@code null}.
     */
    static EpollDatagramSocket open(int index, DatagramOptions options, InetSocketAddress address,
            NetworkInterface iface, DatagramSink sink, ClientFaultLog faults) throws IOException {
        boolean ipv6 = address.getAddress() instanceof Inet6Address;
        LinuxSocket socket = LinuxSocket.newSocketDgram(ipv6);
        try {
            if (!options.multicastGroups().isEmpty()) {
                socket.setReuseAddress(true); // as the JDK's MulticastSocket: group receivers share ports
            }
            if (options.reusePort()) {
                socket.setReusePort(true);
            }
            if (options.receiveBufferSize() > 0) {
                socket.setReceiveBufferSize(options.receiveBufferSize());
            }
            if (options.sendBufferSize() > 0) {
                socket.setSendBufferSize(options.sendBufferSize());
            }
            socket.bind(address);
            EpollDatagramSocket created = new EpollDatagramSocket(index, options, sink, faults, socket, ipv6);
            created.configureMulticast(iface, options.multicastLoopback(), options.multicastTtl());
            return created;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void configureMulticast(NetworkInterface iface, boolean loopback, int ttl) throws IOException {
        socket.setIntOpt(IPPROTO_IP, IP_MULTICAST_LOOP, loopback ? 1 : 0);
        socket.setIntOpt(IPPROTO_IP, IP_MULTICAST_TTL, ttl);
        if (ipv6) {
            socket.setIntOpt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, loopback ? 1 : 0);
            socket.setIntOpt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl);
        }
        if (iface != null) {
            // struct ip_mreqn {in_addr multiaddr; in_addr address; int ifindex}: only the index counts.
            socket.setRawOpt(IPPROTO_IP, IP_MULTICAST_IF, mreqn(null, iface.getIndex()));
            if (ipv6) {
                socket.setIntOpt(IPPROTO_IPV6, IPV6_MULTICAST_IF, iface.getIndex());
            }
        }
    }

    /** struct ip_mreqn: addresses in network order, the index in the machine's. */
    private static ByteBuffer mreqn(InetAddress group, int ifindex) {
        ByteBuffer b = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        b.put(group == null ? new byte[4] : group.getAddress());
        b.put(new byte[4]);
        b.putInt(ifindex);
        return b.flip();
    }

    /** struct ipv6_mreq {in6_addr multiaddr; unsigned int ifindex}. */
    private static ByteBuffer ipv6Mreq(InetAddress group, int ifindex) {
        ByteBuffer b = ByteBuffer.allocateDirect(20).order(ByteOrder.nativeOrder());
        b.put(group.getAddress());
        b.putInt(ifindex);
        return b.flip();
    }

    @Override
    public void join(InetAddress group, NetworkInterface iface) throws IOException {
        membership(group, iface, true);
    }

    @Override
    public void leave(InetAddress group, NetworkInterface iface) throws IOException {
        membership(group, iface, false);
    }

    private void membership(InetAddress group, NetworkInterface iface, boolean join) throws IOException {
        int ifindex = iface == null ? 0 : iface.getIndex();
        if (group instanceof Inet4Address) {
            // On an IPv6 socket too: Linux passes SOL_IP options of a UDP socket to IPv4.
            socket.setRawOpt(IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, mreqn(group, ifindex));
        } else if (ipv6) {
            socket.setRawOpt(IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, ipv6Mreq(group, ifindex));
        } else {
            throw new IOException("cannot join IPv6 group " + group.getHostAddress() + " on IPv4 socket "
                    + localAddress);
        }
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    InetSocketAddress receiveOne() throws IOException {
        DatagramSocketAddress sender = socket.recvFromAddress(receiveAddress, 0, receiveBuffer.capacity());
        if (sender == null) {
            return null;
        }
        received = sender.receivedAmount();
        return sender;
    }

    @Override
    boolean sendOne(InetSocketAddress target, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        int sent;
        if (payload.isDirect()) {
            sent = socket.sendToAddress(Buffer.memoryAddress(payload), payload.position(), payload.limit(),
                    target.getAddress(), target.getPort());
        } else {
            sendScratch.clear();
            sendScratch.put(payload.array(), payload.arrayOffset() + payload.position(), length);
            sent = socket.sendToAddress(sendScratchAddress, 0, length, target.getAddress(), target.getPort());
        }
        // 0 is "would block" for a datagram with bytes, and success for an empty one.
        return sent > 0 || length == 0;
    }

    @Override
    IoOps readOps() {
        return READ;
    }

    @Override
    IoOps readWriteOps() {
        return READ_WRITE;
    }

    @Override
    boolean readable(IoEvent event) {
        return (((EpollIoEvent) event).ops().value() & (EPOLLIN | EPOLLERR)) != 0;
    }

    @Override
    boolean writable(IoEvent event) {
        return (((EpollIoEvent) event).ops().value() & EPOLLOUT) != 0;
    }

    @Override
    public long kernelDrops() {
        synchronized (meminfo) {
            if (!isOpen()) {
                return lastKernelDrops;
            }
            try {
                meminfo.clear();
                socket.getRawOpt(SOL_SOCKET, SO_MEMINFO, meminfo);
                lastKernelDrops = Integer.toUnsignedLong(meminfo.getInt(4 * SK_MEMINFO_DROPS));
            } catch (IOException e) {
                // Closed meanwhile: the last reading stands.
            }
            return lastKernelDrops;
        }
    }

    @Override
    void closeSocket() throws IOException {
        socket.close();
    }
}
