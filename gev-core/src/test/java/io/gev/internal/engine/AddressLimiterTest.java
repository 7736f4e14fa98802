package io.gev.internal.engine;

import io.gev.ServerOptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-address limits on a clock of the test's: no waiting. */
class AddressLimiterTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void noLimitsNoLimiter() {
        assertNull(AddressLimiter.of(ServerOptions.defaults()));
    }

    @Test
    void openConnectionsPerAddressAtBelowAndAbove() throws Exception {
        AddressLimiter limiter = AddressLimiter.of(ServerOptions.builder().maxConnectionsPerAddress(2).build());
        InetAddress a = ip("10.0.0.1");
        assertNull(limiter.tryAcquire(a, 0), "1 of 2");
        assertNull(limiter.tryAcquire(a, 0), "2 of 2");
        assertEquals("2 connections open from it, the maximum per address", limiter.tryAcquire(a, 0));
        assertNull(limiter.tryAcquire(ip("10.0.0.2"), 0), "another address counts apart");
        limiter.release(a, 0);
        assertNull(limiter.tryAcquire(a, 0), "a closed connection frees its place");
        limiter.release(a, 0);
        limiter.release(a, 0);
        limiter.release(ip("10.0.0.2"), 0);
        assertEquals(0, limiter.tracked(), "addresses without connections are forgotten");
    }

    @Test
    void connectionRatePerAddressRefillsEvenlyOverTheInterval() throws Exception {
        AddressLimiter limiter = AddressLimiter.of(ServerOptions.builder()
                .connectionRatePerAddress(4, Duration.ofSeconds(1)).build());
        InetAddress a = ip("2001:db8::1");
        for (int i = 0; i < 4; i++) {
            assertNull(limiter.tryAcquire(a, 0), "connection " + (i + 1) + " of 4 at once");
        }
        assertTrue(limiter.tryAcquire(a, 0).startsWith("more than 4 new connections from it within PT1S"));
        assertTrue(limiter.tryAcquire(a, SECOND / 4 - 1) != null, "just before a quarter second: still none");
        assertNull(limiter.tryAcquire(a, SECOND / 4), "a quarter second refills one");
        assertTrue(limiter.tryAcquire(a, SECOND / 4) != null);
        assertNull(limiter.tryAcquire(ip("2001:db8::2"), 0), "another address has its own bucket");
    }

    @Test
    void refusedByRateAnAddressIsForgottenOnceItsBucketIsFull() throws Exception {
        AddressLimiter limiter = AddressLimiter.of(ServerOptions.builder()
                .connectionRatePerAddress(1, Duration.ofSeconds(1)).build());
        for (int i = 0; i < 1_000; i++) {
            InetAddress a = InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
            assertNull(limiter.tryAcquire(a, 0));
            limiter.release(a, 0);
        }
        assertEquals(1_000, limiter.tracked(), "each bucket is empty for a second");
        assertNull(limiter.tryAcquire(ip("10.2.0.1"), 2 * SECOND));
        assertEquals(1, limiter.tracked(), "the sweep forgot the full buckets, not the open connection");
    }

    @Test
    void bothLimitsTogether() throws Exception {
        AddressLimiter limiter = AddressLimiter.of(ServerOptions.builder().maxConnectionsPerAddress(1)
                .connectionRatePerAddress(10, Duration.ofSeconds(1)).build());
        InetAddress a = ip("192.0.2.9");
        assertNull(limiter.tryAcquire(a, 0));
        assertTrue(limiter.tryAcquire(a, 0).contains("open"), "the open limit first, spending no token");
        limiter.release(a, 0);
        for (int i = 0; i < 9; i++) {
            assertNull(limiter.tryAcquire(a, 0));
            limiter.release(a, 0);
        }
        assertTrue(limiter.tryAcquire(a, 0).contains("new connections"), "10 spent");
    }
}
