package io.gev.bench.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * The idiomatic Netty 4.2 WebSocket echo on {@code /echo}: HTTP codec, aggregator for the upgrade,
 * {@link WebSocketServerProtocolHandler} (handshake, ping/pong, close, UTF-8 checks), then a
 * handler that writes data frames back and flushes on read-complete.
 */
public final class NettyWebSocketEchoServer implements BenchServer.Peer {

    /** The largest frame accepted, for both servers alike. */
    static final int MAX_FRAME = 1 << 20;

    private final NettyEchoServer transport = new NettyEchoServer();

    /** The echo handler for data frames; anything else that gets this far is dropped. */
    @ChannelHandler.Sharable
    static final class FrameEcho extends NettyEchoServer.EchoHandler {
        static final FrameEcho INSTANCE = new FrameEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame) {
                super.channelRead(ctx, msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    @Override
    public int start(int port, int loops) throws InterruptedException {
        return transport.bind(port, loops, new ChannelInitializer<EpollSocketChannel>() {
            @Override
            protected void initChannel(EpollSocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                        new WebSocketServerProtocolHandler("/echo", null, false, MAX_FRAME),
                        FrameEcho.INSTANCE);
            }
        });
    }

    @Override
    public void close() {
        transport.close();
    }
}
