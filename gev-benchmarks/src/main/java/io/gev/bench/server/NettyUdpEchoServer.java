package io.gev.bench.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The idiomatic Netty 4.2 UDP echo on native epoll: an {@link EpollDatagramChannel} whose handler
 * writes each packet's content back to its sender and flushes on read-complete. With more than one
 * loop, a channel per loop on the port (SO_REUSEPORT), as {@link GevUdpEchoServer}. Netty's
 * defaults otherwise (its recvmmsg path needs {@code MAX_DATAGRAM_PAYLOAD_SIZE}, which the
 * system property {@value #RECVMMSG_PROPERTY}{@code =true} sets to 2048).
 */
public final class NettyUdpEchoServer implements BenchServer.Peer {

    /** Whether the channel reads with recvmmsg (Netty's scattering read of datagrams of up to 2048 bytes). */
    public static final String RECVMMSG_PROPERTY = "gev.bench.netty.udp.recvmmsg";

    private EventLoopGroup group;

    @ChannelHandler.Sharable
    static final class EchoHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    @Override
    public int start(int port, int loops) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(EchoHandler.INSTANCE);
        if (loops > 1) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        if (Boolean.getBoolean(RECVMMSG_PROPERTY)) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048);
        }
        Channel first = bootstrap.bind("127.0.0.1", port).sync().channel();
        int bound = ((InetSocketAddress) first.localAddress()).getPort();
        for (int i = 1; i < loops; i++) {
            bootstrap.bind("127.0.0.1", bound).sync();
        }
        return bound;
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + (Boolean.getBoolean(RECVMMSG_PROPERTY) ? " (recvmmsg)" : "");
    }

    @Override
    public void close() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
