package io.gev.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** A JDK WebSocket client that queues the text messages it receives. */
class TextClient implements WebSocket.Listener {

    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();

    TextClient(HttpClient client, URI uri) throws Exception {
        this.socket = client.newWebSocketBuilder().buildAsync(uri, this).get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        this.partial.append(data);
        if (last) {
            this.received.add(this.partial.toString());
            this.partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    /** The next message that matches, skipping others (heartbeats arrive at any time). */
    String next(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String message = this.received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(message).as("a message before the deadline").isNotNull();
            if (wanted.test(message)) {
                return message;
            }
        }
    }

    void close() throws Exception {
        this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }
}
