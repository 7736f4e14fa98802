package io.gev.websocket;

import io.gev.Client;
import io.gev.ClientOptions;
import io.gev.EventLoops;
import io.gev.TlsOptions;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens WebSocket sessions to servers ({@code ws://} and {@code wss://}), served by a
 * {@link WebSocketHandler} as a server's sessions are: the same {@link WebSocketSession} API,
 * limits, compression, pings and close handshake. The differences are the client's: it sends the
 * upgrade request (a fresh key, the subprotocols and headers of its {@link WebSocketRequest})
 * and checks the answer, and masks every frame it sends with a fresh key from a
 * {@link java.security.SecureRandom}.
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder(handler).build();
 * WebSocketSession session = client.connect(URI.create("wss://example.com/chat")).join();
 * session.sendText("hello");
 * ...
 * client.close();
 * }</pre>
 *
 * <p>Its connections run on a gev {@link Client} (its own loop, or shared {@link EventLoops}), one
 * for {@code ws://} and one for {@code wss://}, made when first needed; {@link ClientOptions} set
 * both, and {@code wss://} uses their TLS options or, without, the JDK's trusted issuers with host
 * name verification. Thread-safe.
 */
public final class WebSocketClient implements AutoCloseable {

    /** The name of a WebSocket client when none is set, used in thread names, logs and metrics. */
    public static final String DEFAULT_NAME = "websocket-client";

    private final WebSocketOptions options;
    private final ClientOptions clientOptions;
    private final EventLoops eventLoops;
    private final WebSocketProtocol protocol;
    private final WebSocketAdapter adapter;
    private Client plain;
    private Client secure;

    private WebSocketClient(Builder b) {
        this.options = b.options;
        this.clientOptions = b.clientOptions;
        this.eventLoops = b.eventLoops;
        this.protocol = new WebSocketProtocol(options, Endpoints.single(b.handler, options.toBuilder()
                .paths().subprotocols().build()), true);
        this.adapter = new WebSocketAdapter(protocol);
    }

    /** A builder for a client whose sessions {@code handler} serves. */
    public static Builder builder(WebSocketHandler handler) {
        return new Builder(handler);
    }

    /** {@link #connect(WebSocketRequest) Connects} to {@code uri} with no subprotocols or headers of its own. */
    public CompletableFuture<WebSocketSession> connect(URI uri) {
        return connect(WebSocketRequest.of(uri));
    }

    /**
     * Connects and upgrades. Never blocks.
     *
     * @return the future of the session, completed on its loop once the server accepted the
     *         upgrade and the handler's {@code onOpen} ran; it fails with what the
     *         {@link Client#connect} of the connection fails with (refused, timed out, a TLS
     *         failure), or a {@link WebSocketHandshakeException} when the server refused or
     *         answered wrongly
     * @throws IllegalStateException when the client was closed
     */
    public CompletableFuture<WebSocketSession> connect(WebSocketRequest request) {
        Objects.requireNonNull(request, "request");
        ClientHandshake handshake = new ClientHandshake(request);
        client(request.secure())
                .connect(InetSocketAddress.createUnresolved(request.host(), request.port()),
                        Map.of(ClientHandshake.ATTRIBUTE, handshake))
                .whenComplete((connection, failure) -> {
                    if (failure != null) {
                        handshake.session.completeExceptionally(failure);
                    }
                });
        return handshake.session;
    }

    private synchronized Client client(boolean tls) {
        if (tls) {
            if (secure == null) {
                secure = newClient(clientOptions.tls().orElseGet(() -> TlsOptions.clientBuilder().build()), "-tls");
            }
            return secure;
        }
        if (plain == null) {
            plain = newClient(null, "");
        }
        return plain;
    }

    private Client newClient(TlsOptions tls, String suffix) {
        return Client.builder(protocol, adapter).options(clientOptions).name(clientOptions.name() + suffix).tls(tls)
                .writeBufferLimit(Math.max(clientOptions.writeBufferLimit(), WebSocketServer.writeBufferLimit(options)))
                .eventLoops(eventLoops)
                .build();
    }

    /** The WebSocket options of every session. */
    public WebSocketOptions options() {
        return options;
    }

    /** Closes every session (with 1001, going away) within {@code grace} and stops the clients' loops. */
    public void stop(Duration grace) {
        Client a;
        Client b;
        synchronized (this) {
            a = plain;
            b = secure;
        }
        if (a != null) {
            a.stop(grace);
        }
        if (b != null) {
            b.stop(grace);
        }
    }

    /** {@link #stop(Duration) Stops} with the client options' shutdown timeout. */
    @Override
    public void close() {
        stop(clientOptions.shutdownTimeout());
    }

    /** Builds a {@link WebSocketClient}. Not thread-safe. */
    public static final class Builder {

        private final WebSocketHandler handler;
        private WebSocketOptions options = WebSocketOptions.defaults();
        private ClientOptions clientOptions = ClientOptions.builder().name(DEFAULT_NAME).build();
        private EventLoops eventLoops;

        private Builder(WebSocketHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** Limits, compression, pings and timeouts of the sessions; default {@link WebSocketOptions#defaults()}. */
        public Builder options(WebSocketOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Loops, socket options, connect timeout and TLS of the connections; default name {@value WebSocketClient#DEFAULT_NAME}. */
        public Builder clientOptions(ClientOptions clientOptions) {
            this.clientOptions = Objects.requireNonNull(clientOptions, "clientOptions");
            return this;
        }

        /** Runs the sessions on loops shared with servers and other clients. */
        public Builder eventLoops(EventLoops eventLoops) {
            this.eventLoops = eventLoops;
            return this;
        }

        public WebSocketClient build() {
            return new WebSocketClient(this);
        }
    }
}
