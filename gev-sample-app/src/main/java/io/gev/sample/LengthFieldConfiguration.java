package io.gev.sample;

import io.gev.Handler;
import io.gev.buffer.Buffers;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.Protocol;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.ByteBuffer;

/**
 * A custom-protocol server, the kind a device or game speaks: frames of a 4-byte big-endian
 * length and a payload (the original gev's example protocol). Each frame is answered with a
 * frame holding {@code OK <payload>}.
 */
@Configuration(proxyBeanMethods = false)
class LengthFieldConfiguration {

    @Bean
    Protocol<ByteBuffer> lengthField() {
        return LengthFieldProtocol.builder().lengthFieldLength(4).maxFrameLength(64 * 1024).build();
    }

    @Bean
    Handler<ByteBuffer> lengthFieldDemo() {
        return (connection, context, payload) -> "OK " + Buffers.utf8(payload);
    }
}
