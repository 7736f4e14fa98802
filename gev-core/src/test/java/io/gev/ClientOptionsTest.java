package io.gev;

import io.gev.loop.Transport;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientOptionsTest {

    @Test
    void defaultsSuitAClient() {
        ClientOptions options = ClientOptions.defaults();
        assertEquals(ClientOptions.DEFAULT_NAME, options.name());
        assertEquals(1, options.loops());
        assertTrue(options.daemonThreads());
        assertEquals(ClientOptions.DEFAULT_CONNECT_TIMEOUT, options.connectTimeout());
        assertTrue(options.reconnect().isEmpty());
        assertTrue(options.tls().isEmpty());
        assertEquals(Duration.ZERO, options.idleTimeout());
        assertTrue(options.tcpNoDelay());
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT, options.writeBufferLimit());
        assertEquals(HandlerExecution.loop(), options.handlerExecution());
    }

    @Test
    void settersNameTheBadArgument() {
        ClientOptions.Builder b = ClientOptions.builder();
        assertMessage("connectTimeout must not be negative", () -> b.connectTimeout(Duration.ofMillis(-1)));
        assertMessage("loops must be >= 0", () -> b.loops(-1));
        assertMessage("name must not be blank", () -> b.name(" "));
        assertMessage("writeBufferLimit must be >= 1", () -> b.writeBufferLimit(0));
        assertMessage("readBufferSize must be >= 256", () -> b.readBufferSize(255));
        // At the boundaries.
        assertEquals(Duration.ZERO, b.connectTimeout(Duration.ZERO).build().connectTimeout());
        assertEquals(0, b.loops(0).build().loops());
        assertEquals(256, b.readBufferSize(256).build().readBufferSize());
    }

    @Test
    void buildChecksTheWaterMarksAgainstEachOther() {
        ClientOptions.Builder b = ClientOptions.builder().writeBufferHighWaterMark(1000).writeBufferLowWaterMark(1001);
        assertMessage("writeBufferLowWaterMark (1001) must not exceed writeBufferHighWaterMark (1000)", b::build);
        assertEquals(1000, b.writeBufferLowWaterMark(1000).build().writeBufferLowWaterMark());
    }

    @Test
    void toBuilderKeepsEverySetting() {
        Reconnect reconnect = Reconnect.exponential(Duration.ofMillis(10), Duration.ofSeconds(1));
        ClientOptions options = ClientOptions.builder().name("upstream").loops(2).transport(Transport.NIO)
                .daemonThreads(false).tcpNoDelay(false).keepAlive(true).sendBufferSize(4096).receiveBufferSize(8192)
                .readBufferSize(1024).readBufferLimit(2048).writeBufferHighWaterMark(300).writeBufferLowWaterMark(200)
                .writeBufferLimit(400).idleTimeout(Duration.ofSeconds(5)).shutdownTimeout(Duration.ofSeconds(6))
                .blockedLoopWarning(Duration.ofSeconds(7)).connectTimeout(Duration.ofSeconds(8)).reconnect(reconnect)
                .build();
        ClientOptions copy = options.toBuilder().build();
        assertEquals(options.toString(), copy.toString());
        assertEquals("upstream", copy.name());
        assertEquals(Transport.NIO, copy.transport());
        assertFalse(copy.daemonThreads());
        assertEquals(Duration.ofSeconds(8), copy.connectTimeout());
        assertSame(reconnect, copy.reconnect().orElseThrow());
        assertEquals(400, copy.writeBufferLimit());
        assertEquals("other", options.toBuilder().name("other").build().name());
        assertEquals("upstream", options.name(), "the original is unchanged");
    }

    @Test
    void reconnectDelaysDoubleUpToTheMaximumLessTheJitter() {
        Reconnect exact = Reconnect.builder().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
                .jitter(0).build();
        assertEquals(Duration.ofMillis(100), exact.delay(1));
        assertEquals(Duration.ofMillis(200), exact.delay(2));
        assertEquals(Duration.ofMillis(800), exact.delay(4));
        assertEquals(Duration.ofSeconds(1), exact.delay(5));
        assertEquals(Duration.ofSeconds(1), exact.delay(Integer.MAX_VALUE), "no overflow");
        Reconnect jittered = exact.toBuilder().jitter(0.5).build();
        for (int i = 0; i < 1000; i++) {
            long millis = jittered.delay(2).toMillis();
            assertTrue(millis >= 100 && millis <= 200, millis + " ms");
        }
        assertMessage("attempt must be >= 1", () -> exact.delay(0));
    }

    @Test
    void reconnectSettersNameTheBadArgument() {
        Reconnect.Builder b = Reconnect.builder();
        assertMessage("jitter must be in [0, 1]", () -> b.jitter(1.01));
        assertMessage("jitter must be in [0, 1]", () -> b.jitter(Double.NaN));
        assertMessage("maxAttempts must be >= 0", () -> b.maxAttempts(-1));
        assertMessage("initialDelay must not be negative", () -> b.initialDelay(Duration.ofMillis(-1)));
        assertMessage("initialDelay (PT2S) must not exceed maxDelay (PT1S)",
                () -> b.initialDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1)).build());
        assertEquals(1.0, Reconnect.builder().jitter(1).build().jitter());
        assertEquals(0, Reconnect.builder().build().maxAttempts());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
