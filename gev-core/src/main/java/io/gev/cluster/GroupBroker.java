package io.gev.cluster;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A publish/subscribe broker that carries group messages between gev instances, such as Redis
 * pub/sub. gev hands it opaque byte arrays (an envelope naming the publishing instance) and never
 * interprets its channels beyond their names.
 *
 * <p><b>Threading.</b> Every method may be called from any thread, including an event loop, so
 * none may block: {@link #publish} queues the message and completes its stage later. Messages
 * published from one thread must reach subscribers in the order of the calls. Listeners may be
 * called on the broker's own thread; one channel's listener must be called for one message at a
 * time, in the order the broker received them.
 *
 * <p><b>Delivery.</b> At most once: a message published while the broker is unreachable is lost,
 * and the stage completes exceptionally if the implementation knows it. Subscriptions must
 * survive a broker restart by themselves.
 *
 * <p><b>Buffers.</b> {@link #publish} takes ownership of {@code message}; a listener owns the
 * array it is given.
 */
public interface GroupBroker {

    /**
     * Publishes {@code message} to every subscriber of {@code channel} on every instance,
     * including this one (gev drops its own messages on receipt).
     *
     * @return completes when the broker took the message, exceptionally when it did not (the
     *         message is then lost for other instances)
     */
    CompletionStage<Void> publish(String channel, byte[] message);

    /**
     * Calls {@code listener} with every message published to {@code channel} from now on, until
     * the returned subscription is closed. A listener that throws loses only that message.
     */
    Subscription subscribe(String channel, Consumer<byte[]> listener);

    /**
     * Whether the broker is reachable as far as this instance knows. While it is not, gev does
     * not publish and counts cross-instance messages as dropped; local members still receive
     * every broadcast.
     */
    boolean isAvailable();

    /** An active subscription; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {

        /** Stops calling the listener; does not throw. */
        @Override
        void close();
    }
}
