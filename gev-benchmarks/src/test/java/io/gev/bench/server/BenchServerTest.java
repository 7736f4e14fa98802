package io.gev.bench.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's server names and the offloading servers' thread count. */
class BenchServerTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(BenchServer.OFFLOAD_THREADS_PROPERTY);
    }

    @Test
    void theOffloadingServersHaveTheirNames() throws Exception {
        assertInstanceOf(GevOffloadEchoServer.class, BenchServer.create("gev-offload"));
        assertInstanceOf(NettyOffloadEchoServer.class, BenchServer.create("netty-offload"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchServer.create("offload"));
        assertTrue(e.getMessage().contains("gev-offload, netty-offload"), e.getMessage());
    }

    @Test
    void theUdpServersHaveTheirNames() throws Exception {
        assertInstanceOf(GevUdpEchoServer.class, BenchServer.create("gev-udp"));
        assertInstanceOf(NettyUdpEchoServer.class, BenchServer.create("netty-udp"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchServer.create("udp"));
        assertTrue(e.getMessage().contains("gev-udp or netty-udp"), e.getMessage());
    }

    @Test
    void offloadThreadsDefaultsToFourAndTakesTheProperty() {
        assertEquals(BenchServer.DEFAULT_OFFLOAD_THREADS, BenchServer.offloadThreads());
        assertEquals(4, BenchServer.DEFAULT_OFFLOAD_THREADS);
        System.setProperty(BenchServer.OFFLOAD_THREADS_PROPERTY, "1");
        assertEquals(1, BenchServer.offloadThreads());
        System.setProperty(BenchServer.OFFLOAD_THREADS_PROPERTY, "16");
        assertEquals(16, BenchServer.offloadThreads());
        assertTrue(new NettyOffloadEchoServer().describe().contains("of 16 threads"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "four", ""})
    void offloadThreadsRefusesWhatIsNotAPositiveNumber(String value) {
        System.setProperty(BenchServer.OFFLOAD_THREADS_PROPERTY, value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, BenchServer::offloadThreads);
        assertTrue(e.getMessage().contains(BenchServer.OFFLOAD_THREADS_PROPERTY), e.getMessage());
    }
}
