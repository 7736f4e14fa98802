package io.gev.internal.engine;

import io.gev.ServerOptions;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The per-client-address limits of one server: connections open at once from an address, and
 * new connections from it per interval (a token bucket of {@code rate} tokens refilled evenly over
 * the interval). An address is tracked only while it has connections open or its bucket is not
 * full, so memory follows recent clients, not all clients ever seen. Thread-safe: the listeners
 * admit on their threads (or the loops, after a PROXY header), the loops release; one lock, as
 * each call is a few field updates next to an accept system call.
 */
final class AddressLimiter {

    private final int maxOpen;
    private final int rate;
    private final long intervalNanos;
    /** Guarded by this. */
    private final Map<InetAddress, Entry> entries = new HashMap<>();
    /** Guarded by this. */
    private long nextSweep;

    private AddressLimiter(int maxOpen, int rate, long intervalNanos) {
        this.maxOpen = maxOpen;
        this.rate = rate;
        this.intervalNanos = intervalNanos;
    }

    /** The limiter of {@code options}, or {@code null} when it sets no per-address limit. */
    static AddressLimiter of(ServerOptions options) {
        int maxOpen = options.maxConnectionsPerAddress();
        int rate = options.connectionRatePerAddress();
        if (maxOpen == 0 && rate == 0) {
            return null;
        }
        return new AddressLimiter(maxOpen, rate, options.connectionRateInterval().toNanos());
    }

    /**
     * Counts a new connection from {@code address} if the limits allow it.
     *
     * @return {@code null} when admitted (then {@link #release} it once), else why not
     */
    synchronized String tryAcquire(InetAddress address, long nowNanos) {
        if (rate > 0 && nowNanos - nextSweep >= 0) {
            sweep(nowNanos);
            nextSweep = nowNanos + intervalNanos;
        }
        Entry e = entries.get(address);
        if (e == null) {
            e = new Entry(rate, nowNanos);
            entries.put(address, e);
        }
        if (maxOpen > 0 && e.open >= maxOpen) {
            return e.open + " connections open from it, the maximum per address";
        }
        if (rate > 0) {
            refill(e, nowNanos);
            if (e.tokens < 1) {
                return "more than " + rate + " new connections from it within " + Duration.ofNanos(intervalNanos);
            }
            e.tokens -= 1;
        }
        e.open++;
        return null;
    }

    /** A connection {@link #tryAcquire admitted} for {@code address} has closed. */
    synchronized void release(InetAddress address, long nowNanos) {
        Entry e = entries.get(address);
        if (e == null) {
            return;
        }
        e.open--;
        if (e.open <= 0 && (rate == 0 || full(e, nowNanos))) {
            entries.remove(address);
        }
    }

    /** The addresses tracked now: for tests of the memory bound. */
    synchronized int tracked() {
        return entries.size();
    }

    private void sweep(long nowNanos) {
        for (Iterator<Entry> i = entries.values().iterator(); i.hasNext(); ) {
            Entry e = i.next();
            if (e.open <= 0 && full(e, nowNanos)) {
                i.remove();
            }
        }
    }

    private boolean full(Entry e, long nowNanos) {
        refill(e, nowNanos);
        return e.tokens >= rate;
    }

    private void refill(Entry e, long nowNanos) {
        long elapsed = nowNanos - e.refilledAt;
        if (elapsed > 0) {
            e.tokens = Math.min(rate, e.tokens + (double) elapsed * rate / intervalNanos);
            e.refilledAt = nowNanos;
        }
    }

    private static final class Entry {
        int open;
        double tokens;
        long refilledAt;

        Entry(int tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }
}
