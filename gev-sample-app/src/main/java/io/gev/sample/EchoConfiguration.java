package io.gev.sample;

import io.gev.Handler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.ByteBuffer;

/**
 * The TCP echo of the original gev example, {@code nc localhost 1833}, the same over TLS,
 * {@code openssl s_client -connect localhost:1853 -quiet}, and over a Unix domain socket,
 * {@code socat - UNIX-CONNECT:/tmp/gev-sample/echo.sock}: each is a Handler bean, so each gets a
 * server of its own under {@code gev.servers.<server-name>} (the bean name in kebab case).
 */
@Configuration(proxyBeanMethods = false)
class EchoConfiguration {

    @Bean
    Handler<ByteBuffer> echo() {
        return (connection, context, payload) -> payload;
    }

    @Bean
    Handler<ByteBuffer> tlsEcho() {
        return (connection, context, payload) -> payload;
    }

    @Bean
    Handler<ByteBuffer> unixEcho() {
        return (connection, context, payload) -> payload;
    }
}
