package io.gev.bench.load;

import java.util.Locale;

/** The command line of {@link LoadGenerator}; every option has a bounded default. */
public final class LoadOptions {

    /** What the generator does. */
    public enum Mode {
        /** C connections, one M-byte message in flight on each, every echoed byte verified. */
        ECHO,
        /** Like {@link #ECHO} with K messages in flight per connection. */
        PIPELINE,
        /** WebSocket upgrade, then masked binary frames of M bytes, echoes verified. */
        WS,
        /** Connection churn: connect, one echo, reset; C connects in flight. With --idle: hold C connections. */
        CONNECT,
        /**
         * TLS connection churn (needs {@code --tls}): connect, TLS handshake, one echo, close; C
         * in flight. Full handshakes, or with {@code --resume} resumed ones.
         */
        HANDSHAKE,
        /**
         * The measured processes are two benchmark clients ({@code io.gev.bench.client.BenchClient}),
         * each bouncing M-byte messages on C connections off one echo server ({@code --port} and
         * {@code --port-b} both name it): {@code --control-port}
         * and {@code --server-pid} (and the {@code -b} ones) name the clients, which take turns.
         */
        CLIENT,
        /** C datagram sockets, K datagrams of M bytes in flight on each, every echoed byte verified. */
        UDP
    }

    public Mode mode = Mode.ECHO;
    public String host = "127.0.0.1";
    public int port = 1833;
    public int connections = 50;
    public int messageSize = 6;
    public int inFlight = 1;
    public double warmupSeconds = 2;
    public double durationSeconds = 5;
    public String path = "/echo";
    /** Process id of the server, for its CPU time over the measured window; 0 for none. */
    public int serverPid;
    /** The server's control port answering {@code mem}; 0 for none. */
    public int controlPort;
    /** CONNECT mode: hold the connections idle and report memory per connection instead of churning. */
    public boolean idle;
    /**
     * Modes echo, pipeline and ws over TLS: each connection does a TLS handshake (the JDK's
     * {@code SSLEngine} offering TLS 1.3 with TLS_AES_128_GCM_SHA256 only, any server certificate
     * trusted) before the load starts, then sends and verifies its messages through it.
     */
    public boolean tls;
    /**
     * Mode handshake: each of the C connections in flight offers the session its predecessor
     * settled with the server (a client {@code SSLContext} per slot, whose session cache the JDK
     * keys by host and port), so the server can resume it. Without, every connection makes a full
     * handshake.
     */
    public boolean resume;
    /** Names a variant of the scenario in tables (after "tls-"), e.g. the TLS engine; null for none. */
    public String tag;
    public String label = "server";
    /**
     * A second server (any mode but idle): when its port is set, both servers get the same load
     * in turns of {@link #sliceSeconds}, so a slow spell of the machine hits both alike.
     */
    public int portB;

    /**
     * The Unix domain socket file the server listens on instead of a port, given as
     * {@code --port unix:PATH}; {@code null} for TCP.
     */
    public String unixSocket;
    /** The second server's socket file, as {@code --port-b unix:PATH}; {@code null} for TCP. */
    public String unixSocketB;

    /** The port of a {@code --port} value; -1 for a Unix domain socket's, which names a file. */
    private static int port(String value) {
        return value.startsWith("unix:") ? -1 : Integer.parseInt(value);
    }

    private static String unixSocket(String value) {
        return value.startsWith("unix:") ? value.substring("unix:".length()) : null;
    }
    public int serverPidB;
    public int controlPortB;
    public String labelB = "server-b";
    public double sliceSeconds = 0.5;
    public long seed = 42;
    /** Bound of connecting (and the WebSocket handshakes) before the load starts. */
    public double connectTimeoutSeconds = 30;

    public static LoadOptions parse(String... args) {
        LoadOptions o = new LoadOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--idle")) {
                o.idle = true;
                continue;
            }
            if (a.equals("--tls")) {
                o.tls = true;
                continue;
            }
            if (a.equals("--resume")) {
                o.resume = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--mode": o.mode = Mode.valueOf(v.toUpperCase(Locale.ROOT)); break;
                case "--host": o.host = v; break;
                case "--port": o.port = port(v); o.unixSocket = unixSocket(v); break;
                case "-c": case "--connections": o.connections = Integer.parseInt(v); break;
                case "-m": case "--message-size": o.messageSize = Integer.parseInt(v); break;
                case "-k": case "--in-flight": o.inFlight = Integer.parseInt(v); break;
                case "--warmup": o.warmupSeconds = Double.parseDouble(v); break;
                case "-d": case "--duration": o.durationSeconds = Double.parseDouble(v); break;
                case "--path": o.path = v; break;
                case "--server-pid": o.serverPid = Integer.parseInt(v); break;
                case "--control-port": o.controlPort = Integer.parseInt(v); break;
                case "--label": o.label = v; break;
                case "--tag": o.tag = v; break;
                case "--port-b": o.portB = port(v); o.unixSocketB = unixSocket(v); break;
                case "--server-pid-b": o.serverPidB = Integer.parseInt(v); break;
                case "--control-port-b": o.controlPortB = Integer.parseInt(v); break;
                case "--label-b": o.labelB = v; break;
                case "--slice": o.sliceSeconds = Double.parseDouble(v); break;
                case "--seed": o.seed = Long.parseLong(v); break;
                case "--connect-timeout": o.connectTimeoutSeconds = Double.parseDouble(v); break;
                default: throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return o.validate();
    }

    LoadOptions validate() {
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            // Benchmarks target this machine only.
            throw new IllegalArgumentException("only loopback targets are allowed: " + host);
        }
        require(connections >= 1 && connections <= 100_000, "connections in 1..100000");
        require(messageSize >= 1 && messageSize <= 1 << 20, "message size in 1..1 MiB");
        require(inFlight >= 1 && inFlight <= 1024, "in-flight in 1..1024");
        require(mode == Mode.PIPELINE || inFlight == 1 || mode == Mode.WS || mode == Mode.UDP,
                "-k needs --mode pipeline, ws or udp");
        require(mode != Mode.UDP || messageSize >= 8 && messageSize <= 2048, "--mode udp with a message size in 8..2048");
        require(mode != Mode.UDP || !tls, "--tls not with --mode udp");
        require(mode != Mode.UDP || unixSocket == null && unixSocketB == null, "--port unix:PATH not with --mode udp");
        require(warmupSeconds >= 0 && warmupSeconds <= 600, "warm-up in 0..600 s");
        require(durationSeconds > 0 && durationSeconds <= 600, "duration in (0, 600] s");
        require(!tls || mode != Mode.CONNECT, "--tls with --mode echo, pipeline, ws or handshake");
        require(tls || mode != Mode.HANDSHAKE, "--tls with --mode handshake");
        require(!resume || mode == Mode.HANDSHAKE, "--resume needs --mode handshake");
        require(portB == 0 || !idle, "--port-b not with --idle: memory is weighed one server at a time");
        require(!idle || mode == Mode.CONNECT, "--idle needs --mode connect");
        require(mode != Mode.CLIENT || controlPort > 0 && controlPortB > 0 && portB > 0,
                "--mode client needs two clients' --control-port and --control-port-b, and --port-b (the echo server's)");
        require(sliceSeconds >= 0.05 && sliceSeconds <= 60, "slice in 0.05..60 s");
        require(connectTimeoutSeconds > 0 && connectTimeoutSeconds <= 600, "connect timeout in (0, 600] s");
        return this;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("expected " + what);
        }
    }

    /** The scenario's name in tables, e.g. {@code echo c=50 m=6}, or {@code tls-echo c=100 m=512} with TLS. */
    public String scenario() {
        return (tls ? "tls-" : "") + (tag != null ? tag + "-" : "") + plainScenario();
    }

    private String plainScenario() {
        switch (mode) {
            case PIPELINE:
                return "pipeline c=" + connections + " m=" + messageSize + " K=" + inFlight;
            case CONNECT:
                return idle ? "idle c=" + connections : "connect churn c=" + connections;
            case HANDSHAKE:
                return "handshake " + (resume ? "resumed" : "full") + " c=" + connections;
            case CLIENT:
                return "client-echo c=" + connections + " m=" + messageSize;
            case UDP:
                return "udp-echo c=" + connections + " m=" + messageSize + (inFlight > 1 ? " K=" + inFlight : "");
            default:
                return mode.name().toLowerCase(Locale.ROOT) + " c=" + connections + " m=" + messageSize
                        + (inFlight > 1 ? " K=" + inFlight : "");
        }
    }
}
