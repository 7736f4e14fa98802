package io.gev.bench.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The idiomatic Netty 4.2 echo over TLS: an {@code SslHandler} on the JDK's {@code SSLEngine}
 * ({@link SslProvider#JDK}, {@code netty-tls}) or OpenSSL's ({@link SslProvider#OPENSSL},
 * {@code netty-tls-openssl}, as gev's OpenSSL engine) in front of {@link NettyEchoServer}'s
 * handler, with the benchmark's key store and Netty's default protocols and cipher suites.
 */
public final class NettyTlsEchoServer implements BenchServer.Peer {

    private final SslProvider provider;

    public NettyTlsEchoServer(SslProvider provider) {
        this.provider = provider;
    }

    private final NettyEchoServer transport = new NettyEchoServer();

    @Override
    public int start(int port, int loops) throws Exception {
        SslContext context = SslContextBuilder.forServer(BenchCertificate.keyManagers())
                .sslProvider(provider)
                .build();
        return transport.bind(port, loops, new ChannelInitializer<EpollSocketChannel>() {
            @Override
            protected void initChannel(EpollSocketChannel ch) {
                ch.pipeline().addLast(context.newHandler(ch.alloc()), NettyEchoServer.EchoHandler.INSTANCE);
            }
        });
    }

    @Override
    public void close() {
        transport.close();
    }
}
