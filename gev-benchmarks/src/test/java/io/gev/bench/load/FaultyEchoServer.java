package io.gev.bench.load;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A small blocking echo server, a thread per connection, that can break the stream on purpose once
 * {@code at} bytes of a connection have been echoed: the load generator must notice. With an
 * {@link SSLContext} it speaks TLS (the JDK's {@code SSLSocket}) and breaks the decrypted stream.
 * {@link #forgettingSessions} speaks TLS with a new context per connection, so it never resumes a
 * session: tickets of another context do not open, and each context has its own session cache.
 */
final class FaultyEchoServer implements AutoCloseable {

    enum Fault { NONE, CORRUPT, DROP, DUPLICATE }

    private final ServerSocket listener;
    private final Fault fault;
    private final long at;
    private final List<Socket> sockets = new ArrayList<>();
    /** A new context for each connection's TLS; {@code null} when the listener speaks TLS itself or none. */
    private final Supplier<SSLContext> contextPerConnection;

    FaultyEchoServer(Fault fault, long at) throws IOException {
        this(fault, at, null);
    }

    FaultyEchoServer(Fault fault, long at, SSLContext tls) throws IOException {
        this(fault, at, tls, null);
    }

    private FaultyEchoServer(Fault fault, long at, SSLContext tls, Supplier<SSLContext> contextPerConnection)
            throws IOException {
        this.fault = fault;
        this.at = at;
        this.contextPerConnection = contextPerConnection;
        this.listener = tls == null ? new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "faulty-accept");
        t.setDaemon(true);
        t.start();
    }

    /** A correct TLS echo whose every connection makes a full handshake, with {@code contexts}' next. */
    static FaultyEchoServer forgettingSessions(Supplier<SSLContext> contexts) throws IOException {
        return new FaultyEchoServer(Fault.NONE, -1, null, contexts);
    }

    private Socket serverSide(Socket accepted) throws IOException {
        SSLSocket tls = (SSLSocket) contextPerConnection.get().getSocketFactory()
                .createSocket(accepted, null, accepted.getPort(), true);
        tls.setUseClientMode(false);
        return tls;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket accepted = listener.accept();
                accepted.setTcpNoDelay(true);
                Socket s = contextPerConnection == null ? accepted : serverSide(accepted);
                synchronized (sockets) {
                    sockets.add(s);
                }
                Thread t = new Thread(() -> echo(s), "faulty-echo");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException closed) {
            // Closed by close().
        }
    }

    private void echo(Socket s) {
        byte[] buf = new byte[8192];
        byte[] out = new byte[8193];
        long total = 0;
        try (s; InputStream in = s.getInputStream(); OutputStream os = s.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int len = 0;
                for (int i = 0; i < n; i++, total++) {
                    byte b = buf[i];
                    if (total == at) {
                        if (fault == Fault.CORRUPT) {
                            b ^= 0x40;
                        } else if (fault == Fault.DROP) {
                            continue;
                        } else if (fault == Fault.DUPLICATE) {
                            out[len++] = b;
                        }
                    }
                    out[len++] = b;
                }
                os.write(out, 0, len);
            }
        } catch (IOException e) {
            // The client went away.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
