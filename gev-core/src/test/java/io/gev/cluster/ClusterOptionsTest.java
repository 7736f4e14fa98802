package io.gev.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterOptionsTest {

    @Test
    void defaults() {
        ClusterOptions options = ClusterOptions.defaults();
        assertEquals("gev:group:", options.channelPrefix());
        assertEquals(1024 * 1024, options.maxMessageSize());
        assertTrue(options.instanceId().matches("[0-9a-f]{16}"), options.instanceId());
        assertNotEquals(options.instanceId(), ClusterOptions.defaults().instanceId());
    }

    @Test
    void toBuilderKeepsEveryOptionIncludingTheId() {
        ClusterOptions options = ClusterOptions.builder().instanceId("node-1").channelPrefix("app:")
                .maxMessageSize(10).build();
        ClusterOptions copy = options.toBuilder().build();
        assertEquals("node-1", copy.instanceId());
        assertEquals("app:", copy.channelPrefix());
        assertEquals(10, copy.maxMessageSize());
    }

    @Test
    void maxMessageSizeAtBelowAndAboveItsBounds() {
        assertEquals(1, ClusterOptions.builder().maxMessageSize(1).build().maxMessageSize());
        assertEquals(ClusterOptions.MAX_MAX_MESSAGE_SIZE,
                ClusterOptions.builder().maxMessageSize(ClusterOptions.MAX_MAX_MESSAGE_SIZE).build().maxMessageSize());
        assertNamed("maxMessageSize", () -> ClusterOptions.builder().maxMessageSize(0));
        assertNamed("maxMessageSize", () -> ClusterOptions.builder().maxMessageSize(ClusterOptions.MAX_MAX_MESSAGE_SIZE + 1));
    }

    @Test
    void instanceIdLengthAndCharacters() {
        String sixtyFour = "x".repeat(64);
        assertEquals(sixtyFour, ClusterOptions.builder().instanceId(sixtyFour).build().instanceId());
        assertNamed("instanceId", () -> ClusterOptions.builder().instanceId("x".repeat(65)));
        // 33 two-byte characters are 66 bytes.
        assertNamed("instanceId", () -> ClusterOptions.builder().instanceId("é".repeat(33)));
        assertNamed("instanceId", () -> ClusterOptions.builder().instanceId(""));
        assertNamed("instanceId", () -> ClusterOptions.builder().instanceId("a\nb"));
    }

    @Test
    void channelPrefix() {
        assertEquals("", ClusterOptions.builder().channelPrefix("").build().channelPrefix());
        assertEquals(200, ClusterOptions.builder().channelPrefix("p".repeat(200)).build().channelPrefix().length());
        assertNamed("channelPrefix", () -> ClusterOptions.builder().channelPrefix("p".repeat(201)));
        assertNamed("channelPrefix", () -> ClusterOptions.builder().channelPrefix("a\u0000"));
        assertThrows(NullPointerException.class, () -> ClusterOptions.builder().channelPrefix(null));
    }

    private static void assertNamed(String name, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(name), e.getMessage());
    }
}
