package io.gev.sample;

import io.gev.Handler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The TCP echo of the original gev example: {@code nc localhost 1833}. */
@Configuration(proxyBeanMethods = false)
class EchoConfiguration {

    @Bean
    Handler echo() {
        return (connection, context, payload) -> payload;
    }
}
