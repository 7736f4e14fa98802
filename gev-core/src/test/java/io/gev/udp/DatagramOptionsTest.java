package io.gev.udp;

import io.gev.HandlerExecution;
import io.gev.loop.Transport;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatagramOptionsTest {

    @Test
    void defaults() {
        DatagramOptions o = DatagramOptions.builder().build();
        assertEquals(DatagramOptions.DEFAULT_NAME, o.name());
        assertEquals(DatagramOptions.DEFAULT_PORT, o.port());
        assertEquals(2048, o.maxDatagramSize());
        assertEquals(64, o.maxDatagramsPerRead());
        assertEquals(1024, o.maxQueuedSends());
        assertFalse(o.reusePort());
        assertTrue(o.host().isEmpty());
        assertEquals(Transport.AUTO, o.transport());
        assertEquals(HandlerExecution.loop(), o.handlerExecution());
        assertTrue(o.multicastGroups().isEmpty());
        assertTrue(o.multicastLoopback());
        assertEquals(1, o.multicastTtl());
    }

    @Test
    void limitsAreCheckedAtTheirBoundariesAndTheMessageNamesTheArgument() {
        DatagramOptions.Builder b = DatagramOptions.builder();
        assertEquals(1, b.maxDatagramSize(1).build().maxDatagramSize());
        assertEquals(65_527, b.maxDatagramSize(65_527).build().maxDatagramSize());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxDatagramSize(0)).getMessage()
                .contains("maxDatagramSize"));
        assertThrows(IllegalArgumentException.class, () -> b.maxDatagramSize(65_528));
        assertEquals(1, b.maxDatagramsPerRead(1).build().maxDatagramsPerRead());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxDatagramsPerRead(0)).getMessage()
                .contains("maxDatagramsPerRead"));
        assertEquals(1, b.maxQueuedSends(1).build().maxQueuedSends());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxQueuedSends(0)).getMessage()
                .contains("maxQueuedSends"));
        assertEquals(65535, b.port(65535).build().port());
        assertThrows(IllegalArgumentException.class, () -> b.port(65536));
        assertThrows(IllegalArgumentException.class, () -> b.port(-1));
        assertThrows(IllegalArgumentException.class, () -> b.receiveBufferSize(-1));
        assertThrows(IllegalArgumentException.class, () -> b.multicastTtl(256));
        assertEquals(255, b.multicastTtl(255).build().multicastTtl());
        assertThrows(IllegalArgumentException.class, () -> b.name(" "));
        assertThrows(IllegalArgumentException.class, () -> b.faultLogInterval(Duration.ofSeconds(-1)));
    }

    @Test
    void groupsMustBeMulticastAndDoNotGoWithReusePort() throws Exception {
        InetAddress unicast = InetAddress.getByName("10.0.0.1");
        InetAddress group = InetAddress.getByName("239.0.0.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatagramOptions.builder().multicastGroups(List.of(unicast)));
        assertTrue(e.getMessage().contains("multicastGroups"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DatagramOptions.builder().multicastGroups(List.of(group)).reusePort(true).build());
        assertEquals(List.of(group), DatagramOptions.builder().multicastGroups(List.of(group)).build().multicastGroups());
    }

    @Test
    void toBuilderKeepsEveryOption() throws Exception {
        DatagramOptions o = DatagramOptions.builder().name("dns").host("127.0.0.1").port(5353).loops(3)
                .transport(Transport.NIO).maxDatagramSize(512).maxDatagramsPerRead(8).maxQueuedSends(10)
                .receiveBufferSize(1 << 20).sendBufferSize(1 << 19)
                .multicastGroups(List.of(InetAddress.getByName("224.0.0.251"))).multicastInterface("lo")
                .multicastLoopback(false).multicastTtl(4).daemonThreads(true).blockedLoopWarning(Duration.ZERO)
                .faultLogInterval(Duration.ofSeconds(5)).faultLogLimit(2).build();
        assertEquals(o.toString(), o.toBuilder().build().toString());
        DatagramOptions copy = o.toBuilder().build();
        assertEquals(o.multicastInterface(), copy.multicastInterface());
        assertEquals(o.multicastLoopback(), copy.multicastLoopback());
        assertEquals(o.multicastTtl(), copy.multicastTtl());
        assertEquals(o.receiveBufferSize(), copy.receiveBufferSize());
        assertEquals(o.sendBufferSize(), copy.sendBufferSize());
        assertEquals(o.faultLogInterval(), copy.faultLogInterval());
        assertEquals(o.faultLogLimit(), copy.faultLogLimit());
        assertEquals(o.daemonThreads(), copy.daemonThreads());
        assertEquals(o.blockedLoopWarning(), copy.blockedLoopWarning());
        assertEquals(8, copy.maxDatagramsPerRead());
    }
}
