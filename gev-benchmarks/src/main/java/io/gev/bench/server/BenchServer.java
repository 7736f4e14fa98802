package io.gev.bench.server;

import java.util.Locale;

/**
 * Starts one benchmark server on 127.0.0.1 and prints
 * {@code READY impl=... port=P control=P pid=N} once it accepts connections (for a server on a Unix
 * domain socket, {@code port=unix:PATH}); runs until killed.
 *
 * <pre>
 * java -cp gev-benchmarks.jar io.gev.bench.server.BenchServer gev|gev-unix|netty|gev-ws|netty-ws|gev-tls|netty-tls|gev-tls-openssl|netty-tls-openssl|gev-offload|netty-offload|gev-udp|netty-udp [port] [loops]
 * </pre>
 *
 * The TLS servers read their key store from the system property {@value BenchCertificate#PROPERTY}
 * (see {@link BenchCertificate}); the offloading servers their thread count from
 * {@value #OFFLOAD_THREADS_PROPERTY} (see {@link #offloadThreads()}).
 */
public final class BenchServer {

    /** A server the runner can start; all listen on 127.0.0.1 only. */
    public interface Peer extends AutoCloseable {
        /** Binds and starts; returns the bound port. */
        int start(int port, int loops) throws Exception;

        @Override
        void close();

        /** The Unix domain socket file it listens on instead of a port; {@code null} on TCP. */
        default String unixSocket() {
            return null;
        }

        /** What runs, for the server's log: the class, and where the handler runs when that varies. */
        default String describe() {
            return getClass().getSimpleName();
        }
    }

    /** The class that serves gev's WebSocket echo; it joins the build once gev has WebSocket. */
    static final String GEV_WS_CLASS = "io.gev.bench.server.GevWebSocketEchoServer";

    /** The system property with the number of threads the offloading servers run the handler on. */
    public static final String OFFLOAD_THREADS_PROPERTY = "gev.bench.offload.threads";

    /** The default of {@link #offloadThreads()}. */
    public static final int DEFAULT_OFFLOAD_THREADS = 4;

    private BenchServer() {
    }

    /**
     * Threads of Netty's {@code DefaultEventExecutorGroup} in {@code netty-offload}, and of gev's pool in
     * {@code gev-offload} where the JVM has no virtual threads: {@value #OFFLOAD_THREADS_PROPERTY},
     * default {@value #DEFAULT_OFFLOAD_THREADS}.
     *
     * @throws IllegalArgumentException if the property is not a positive number
     */
    public static int offloadThreads() {
        String value = System.getProperty(OFFLOAD_THREADS_PROPERTY, Integer.toString(DEFAULT_OFFLOAD_THREADS));
        int threads;
        try {
            threads = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads < 1) {
            throw new IllegalArgumentException(OFFLOAD_THREADS_PROPERTY + " must be a number >= 1: " + value);
        }
        return threads;
    }

    public static Peer create(String impl) throws ReflectiveOperationException {
        switch (impl.toLowerCase(Locale.ROOT)) {
            case "gev":
                return new GevEchoServer();
            case "gev-unix":
                return new GevUnixEchoServer();
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
            case "gev-offload":
                return new GevOffloadEchoServer();
            case "netty-offload":
                return new NettyOffloadEchoServer();
            case "gev-udp":
                return new GevUdpEchoServer();
            case "netty-udp":
                return new NettyUdpEchoServer();
            default:
                throw new IllegalArgumentException("unknown server " + impl + ": gev, netty, gev-ws, netty-ws, gev-tls,"
                        + " netty-tls, gev-tls-openssl, netty-tls-openssl, gev-offload, netty-offload, gev-udp or netty-udp");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BenchServer gev|gev-unix|netty|gev-ws|netty-ws|gev-tls|netty-tls|gev-tls-openssl|netty-tls-openssl|gev-offload|netty-offload|gev-udp|netty-udp [port] [loops]");
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
        System.out.println("SERVER " + peer.describe() + " on Java " + Runtime.version());
        // A socket file is given where a port would be, as the load generator's --port takes it.
        String where = peer.unixSocket() != null ? "unix:" + peer.unixSocket() : String.valueOf(bound);
        System.out.println("READY impl=" + args[0] + " port=" + where + " control=" + control.port()
                + " pid=" + ProcessHandle.current().pid() + " loops=" + loops);
        System.out.flush();
        Thread.currentThread().join();
    }
}
