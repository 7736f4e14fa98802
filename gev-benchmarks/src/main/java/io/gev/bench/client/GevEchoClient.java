package io.gev.bench.client;

import io.gev.Client;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.loop.Transport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** gev's client on epoll: a raw handler that returns the view it reads as the reply while bouncing. */
final class GevEchoClient implements BenchClient.Peer {

    private final BenchClient.Counter counter;
    private final List<Connection> connections = new ArrayList<>();
    private Client client;

    GevEchoClient(BenchClient.Counter counter) {
        this.counter = counter;
    }

    @Override
    public void connect(int port, int count, int loops) throws Exception {
        client = Client.builder(new Handler<ByteBuffer>() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                return counter.read(payload.remaining()) ? payload : null;
            }

            @Override
            public void onClose(Connection connection) {
                counter.error();
            }
        }).name("bench").loops(loops).transport(Transport.EPOLL).build();
        for (int i = 0; i < count; i++) {
            connections.add(client.connect("127.0.0.1", port).get(30, TimeUnit.SECONDS));
        }
    }

    @Override
    public void sendAll(byte[] message) {
        for (Connection c : connections) {
            c.send(ByteBuffer.wrap(message));
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.stop(Duration.ofSeconds(1));
        }
    }
}
