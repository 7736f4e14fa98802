package io.gev.websocket;

import io.gev.cluster.GroupBroker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A broker in this process, for tests of the groups' side of the SPI: it calls listeners on its
 * one thread in publish order, as Redis pub/sub does, and can be taken down and brought back.
 */
final class InMemoryBroker implements GroupBroker, AutoCloseable {

    private final Map<String, List<Consumer<byte[]>>> listeners = new ConcurrentHashMap<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-broker");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean available = true;

    void available(boolean available) {
        this.available = available;
    }

    /** Delivers raw bytes, as a foreign publisher on the channel would. */
    void inject(String channel, byte[] message) {
        thread.execute(() -> dispatch(channel, message));
    }

    @Override
    public CompletionStage<Void> publish(String channel, byte[] message) {
        if (!available) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> {
            // Taken first, as a broker acknowledges before its subscribers see the message.
            done.complete(null);
            dispatch(channel, message);
        });
        return done;
    }

    private void dispatch(String channel, byte[] message) {
        for (Consumer<byte[]> listener : listeners.getOrDefault(channel, List.of())) {
            listener.accept(message.clone());
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> listeners.getOrDefault(channel, List.of()).remove(listener);
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
