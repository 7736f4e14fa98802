package io.gev.sample;

import io.gev.udp.DatagramHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The UDP echo on port 1836 ({@code gev.udp.*}): each datagram goes back to its sender as it came.
 * Try it with {@code socat - UDP:localhost:1836} or {@code nc -u localhost 1836}.
 */
@Configuration(proxyBeanMethods = false)
class UdpEchoConfiguration {

    @Bean
    DatagramHandler udpEcho() {
        return (out, sender, payload) -> payload;
    }
}
