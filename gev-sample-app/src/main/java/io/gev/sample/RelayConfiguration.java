package io.gev.sample;

import io.gev.Client;
import io.gev.Handler;
import io.gev.spring.boot.autoconfigure.GevClients;
import io.gev.spring.boot.context.GevServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP relay on {@code gev.servers.relay.port} (1838) to the sample's own echo server:
 * {@code nc localhost 1838} echoes through a gev {@link Client}, both halves of each pair on one
 * of the shared loops. The client bean comes from {@link GevClients} ({@code gev.client.*}); the
 * starter stops it after the servers and publishes its meters with {@code side=client}.
 */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

    @Bean
    Relay relayPairs(ObjectProvider<GevServers> servers) {
        // The echo server's bound port, asked at each connect: it may be 0 in the properties.
        return new Relay(() -> new InetSocketAddress("127.0.0.1", servers.getObject().get("echo").port()));
    }

    @Bean
    Handler<ByteBuffer> relay(Relay relayPairs, ObjectProvider<Client> relayUpstream) {
        return relayPairs.inbound(relayUpstream::getObject);
    }

    @Bean
    Client relayUpstream(GevClients clients, Relay relayPairs) {
        return clients.builder(relayPairs.outbound()).name("relay-upstream").build();
    }
}
