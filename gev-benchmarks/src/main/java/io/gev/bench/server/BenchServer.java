package io.gev.bench.server;

import java.util.Locale;

/**
 * Starts one benchmark server on 127.0.0.1 and prints
 * {@code READY impl=... port=P control=P pid=N} once it accepts connections; runs until killed.
 *
 * <pre>
 * java -cp gev-benchmarks.jar io.gev.bench.server.BenchServer gev|netty|gev-ws|netty-ws|gev-tls|netty-tls|gev-tls-openssl|netty-tls-openssl [port] [loops]
 * </pre>
 *
 * The TLS servers read their key store from the system property {@value BenchCertificate#PROPERTY}
 * (see {@link BenchCertificate}).
 */
public final class BenchServer {

    /** A server the runner can start; all listen on 127.0.0.1 only. */
    public interface Peer extends AutoCloseable {
        /** Binds and starts; returns the bound port. */
        int start(int port, int loops) throws Exception;

        @Override
        void close();
    }

    /** The class that serves gev's WebSocket echo; it joins the build once gev has WebSocket. */
    static final String GEV_WS_CLASS = "io.gev.bench.server.GevWebSocketEchoServer";

    private BenchServer() {
    }

    public static Peer create(String impl) throws ReflectiveOperationException {
        switch (impl.toLowerCase(Locale.ROOT)) {
            case "gev":
                return new GevEchoServer();
            case "netty":
                return new NettyEchoServer();
            case "netty-ws":
                return new NettyWebSocketEchoServer();
            case "gev-ws":
                return (Peer) Class.forName(GEV_WS_CLASS).getDeclaredConstructor().newInstance();
            case "gev-tls":
                return new GevTlsEchoServer(io.gev.TlsOptions.Provider.JDK);
            case "netty-tls":
                return new NettyTlsEchoServer(io.netty.handler.ssl.SslProvider.JDK);
            case "gev-tls-openssl":
                return new GevTlsEchoServer(io.gev.TlsOptions.Provider.OPENSSL);
            case "netty-tls-openssl":
                return new NettyTlsEchoServer(io.netty.handler.ssl.SslProvider.OPENSSL);
            default:
                throw new IllegalArgumentException("unknown server " + impl
                        + ": gev, netty, gev-ws, netty-ws, gev-tls, netty-tls, gev-tls-openssl or netty-tls-openssl");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BenchServer gev|netty|gev-ws|netty-ws|gev-tls|netty-tls|gev-tls-openssl|netty-tls-openssl [port] [loops]");
            System.exit(2);
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Peer peer;
        try {
            peer = create(args[0]);
        } catch (ClassNotFoundException e) {
            System.out.println("UNAVAILABLE impl=" + args[0] + " (not built: " + e.getMessage() + ")");
            System.exit(3);
            return;
        }
        ControlPort control = new ControlPort();
        int bound = peer.start(port, loops);
        Runtime.getRuntime().addShutdownHook(new Thread(peer::close));
        System.out.println("READY impl=" + args[0] + " port=" + bound + " control=" + control.port()
                + " pid=" + ProcessHandle.current().pid() + " loops=" + loops);
        System.out.flush();
        Thread.currentThread().join();
    }
}
