package io.gev.sample;

import io.gev.Handler;
import io.gev.buffer.Buffers;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.Protocol;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A handler that blocks: each line names an item, answered with {@code <item> <stock>} from a
 * store that takes 20 ms per lookup (a stand-in for a JDBC call). It runs offloaded
 * ({@code gev.servers.lookup.handler-execution: offload}, on Spring Boot's task executor), so
 * the loops it shares with the other servers never wait for it; one connection's lines are still
 * answered one at a time, in order.
 */
@Configuration(proxyBeanMethods = false)
class LookupConfiguration {

    static final Duration LOOKUP_TIME = Duration.ofMillis(20);

    @Bean
    Protocol<ByteBuffer> line() {
        return LineProtocol.builder().maxLineLength(1024).build();
    }

    @Bean
    Handler<ByteBuffer> lookup() {
        return (connection, context, line) -> {
            String item = Buffers.utf8(line).trim();
            return item + " " + slowStock(item);
        };
    }

    /** The blocking call: on an offloaded handler it holds only its own thread. */
    private static int slowStock(String item) {
        try {
            Thread.sleep(LOOKUP_TIME.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Math.floorMod(item.hashCode(), 100);
    }
}
