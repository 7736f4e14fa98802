package io.gev.internal.udp;

import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.udp.DatagramOptions;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.nio.NioIoEvent;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A datagram socket on the JDK's selector. */
public final class NioDatagramSocket extends DatagramSocketHandle implements NioIoHandle {

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    /** Guarded by itself. */
    private final Map<List<Object>, MembershipKey> memberships = new HashMap<>();

    private NioDatagramSocket(int index, DatagramOptions options, DatagramSink sink, ClientFaultLog faults,
            DatagramChannel channel) throws IOException {
        super(index, options, sink, faults);
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    static NioDatagramSocket open(int index, DatagramOptions options, InetSocketAddress address,
            NetworkInterface iface, DatagramSink sink, ClientFaultLog faults) throws IOException {
        DatagramChannel channel = DatagramChannel.open(address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            if (!options.multicastGroups().isEmpty()) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferSize() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
            }
            if (options.sendBufferSize() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
            }
            channel.bind(address);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, options.multicastLoopback());
            channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, options.multicastTtl());
            if (iface != null) {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, iface);
            }
            return new NioDatagramSocket(index, options, sink, faults, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void join(InetAddress group, NetworkInterface iface) throws IOException {
        NetworkInterface on = iface != null ? iface : Multicast.defaultInterface();
        synchronized (memberships) {
            memberships.put(List.of(group, on), channel.join(group, on));
        }
    }

    @Override
    public void leave(InetAddress group, NetworkInterface iface) throws IOException {
        NetworkInterface on = iface != null ? iface : Multicast.defaultInterface();
        MembershipKey key;
        synchronized (memberships) {
            key = memberships.remove(List.of(group, on));
        }
        if (key == null) {
            throw new IOException("not a member of " + group.getHostAddress() + " on " + on.getName());
        }
        key.drop();
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    InetSocketAddress receiveOne() throws IOException {
        receiveBuffer.clear();
        // The JDK keeps the last sender's address object and hands it out again while the sender
        // stays the same: no allocation per datagram from one peer.
        InetSocketAddress sender = (InetSocketAddress) channel.receive(receiveBuffer);
        if (sender != null) {
            received = receiveBuffer.position();
        }
        return sender;
    }

    @Override
    boolean sendOne(InetSocketAddress target, ByteBuffer payload) throws IOException {
        int position = payload.position();
        int length = payload.remaining();
        int sent;
        try {
            sent = channel.send(payload, target);
        } finally {
            payload.position(position);
        }
        return sent > 0 || length == 0;
    }

    @Override
    IoOps readOps() {
        return NioIoOps.READ;
    }

    @Override
    IoOps readWriteOps() {
        return NioIoOps.READ_AND_WRITE;
    }

    @Override
    boolean readable(IoEvent event) {
        return (((NioIoEvent) event).ops().value() & SelectionKey.OP_READ) != 0;
    }

    @Override
    boolean writable(IoEvent event) {
        return (((NioIoEvent) event).ops().value() & SelectionKey.OP_WRITE) != 0;
    }

    @Override
    public long kernelDrops() {
        return -1; // the JDK has no SO_MEMINFO
    }

    @Override
    void closeSocket() throws IOException {
        channel.close();
    }
}
