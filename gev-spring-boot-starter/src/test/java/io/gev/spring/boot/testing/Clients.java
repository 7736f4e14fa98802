package io.gev.spring.boot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

/** Real clients for the starter's tests. */
public final class Clients {

    private Clients() {
    }

    /** Writes {@code text} to a gev TCP echo server and returns what comes back. */
    public static String echo(int port, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return echo(socket, text);
        }
    }

    /** Like {@link #echo(int, String)}, over TLS with a client of {@code context}. */
    public static String tlsEcho(int port, SSLContext context, String text) throws IOException {
        try (Socket socket = context.getSocketFactory().createSocket("127.0.0.1", port)) {
            return echo(socket, text);
        }
    }

    private static String echo(Socket socket, String text) throws IOException {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = in.readNBytes(text.getBytes(StandardCharsets.UTF_8).length);
        return new String(reply, StandardCharsets.UTF_8);
    }

    /** Writes {@code request} to a gev TCP server and returns the first {@code replyLength} bytes it answers. */
    public static byte[] exchange(int port, byte[] request, int replyLength) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request);
            return socket.getInputStream().readNBytes(replyLength);
        }
    }

    /** Sends {@code text} with the JDK's WebSocket client and returns the first text reply. */
    public static String webSocketEcho(int port, String path, String text) throws Exception {
        return webSocketEcho(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + path), text);
    }

    /** Like {@link #webSocketEcho(int, String, String)} over {@code wss://} with a client of {@code context}. */
    public static String secureWebSocketEcho(int port, String path, SSLContext context, String text) throws Exception {
        return webSocketEcho(HttpClient.newBuilder().sslContext(context).build(),
                URI.create("wss://127.0.0.1:" + port + path), text);
    }

    /**
     * Opens a WebSocket to {@code path} with the JDK's client, sending {@code origin} as the
     * {@code Origin} header unless it is null and offering {@code subprotocols}, and closes it.
     *
     * @return {@code "101 "} and the subprotocol agreed on (empty for none) when the upgrade was
     *         accepted, else the HTTP status that refused it
     */
    public static String upgrade(int port, String path, String origin, String... subprotocols) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        WebSocket ws;
        try {
            ws = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() {
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
            Throwable cause = (ex.getCause() instanceof CompletionException) ? ex.getCause().getCause() : ex.getCause();
            if (cause instanceof WebSocketHandshakeException refused) {
                return String.valueOf(refused.getResponse().statusCode());
            }
            throw ex;
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        return "101 " + ws.getSubprotocol();
    }

    private static String webSocketEcho(HttpClient client, URI uri, String text) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                reply.complete(data.toString());
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true);
        String result = reply.get(10, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        return result;
    }
}
