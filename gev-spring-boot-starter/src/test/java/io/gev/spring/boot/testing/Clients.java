package io.gev.spring.boot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Real clients for the starter's tests. */
public final class Clients {

    private Clients() {
    }

    /** Writes {@code text} to a gev TCP echo server and returns what comes back. */
    public static String echo(int port, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(text.getBytes(StandardCharsets.UTF_8).length);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code text} with the JDK's WebSocket client and returns the first text reply. */
    public static String webSocketEcho(int port, String path, String text) throws Exception {
        java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + path), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket,
                            CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                })
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        ws.sendText(text, true);
        String result = reply.get(10, java.util.concurrent.TimeUnit.SECONDS);
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
        return result;
    }
}
