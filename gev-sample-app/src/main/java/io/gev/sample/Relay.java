package io.gev.sample;

import io.gev.Client;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.buffer.Buffers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A TCP relay: each connection the relay server accepts gets a connection of its own to an
 * upstream address, opened through a gev {@link Client}, and the bytes of each side are written
 * to the other. With the client on the servers' shared loops, the connect made from the inbound
 * connection's {@code onConnect} (a loop thread) puts both halves of a pair on the same loop, so
 * forwarding needs no thread hop.
 *
 * <p>Backpressure: the inbound side does not read until its upstream is open, and each side stops
 * reading while the other cannot keep up with writing (its {@code isWritable()} turned false).
 */
final class Relay {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /** Each connection's other half, both ways. */
    private final Map<Connection, Connection> peers = new ConcurrentHashMap<>();

    private final Supplier<InetSocketAddress> upstream;

    /** @param upstream where each inbound connection is relayed to, asked at each connect */
    Relay(Supplier<InetSocketAddress> upstream) {
        this.upstream = upstream;
    }

    /** The handler of the relay server's accepted connections. */
    Handler<ByteBuffer> inbound(Supplier<Client> client) {
        return new Side() {
            @Override
            public void onConnect(Connection inbound) {
                inbound.pauseReading(); // nothing to forward to yet
                InetSocketAddress address = Relay.this.upstream.get();
                client.get().connect(address).whenComplete((outbound, failure) -> {
                    if (failure != null) {
                        log.warn("Relay of {} to {} failed: {}", inbound.remoteAddress(), address, failure.toString());
                        inbound.close();
                        return;
                    }
                    Relay.this.peers.put(inbound, outbound);
                    Relay.this.peers.put(outbound, inbound);
                    if (!inbound.isConnected()) {
                        // It went while the upstream was being opened.
                        close(inbound);
                        return;
                    }
                    inbound.resumeReading();
                });
            }
        };
    }

    /** The handler of the client's upstream connections. */
    Handler<ByteBuffer> outbound() {
        return new Side();
    }

    private void close(Connection side) {
        Connection other = this.peers.remove(side);
        if (other != null) {
            this.peers.remove(other);
            other.close();
        }
    }

    /** Either half: forwards what it reads to the other, and closes it when it goes. */
    private class Side implements Handler<ByteBuffer> {

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer bytes) {
            Connection other = Relay.this.peers.get(connection);
            if (other != null) {
                // The view is gev's until this returns: the other side gets a copy.
                other.send(Buffers.copy(bytes));
                if (!other.isWritable()) {
                    connection.pauseReading();
                }
            }
            return null;
        }

        @Override
        public void onWritabilityChanged(Connection connection) {
            Connection other = Relay.this.peers.get(connection);
            if (other != null && connection.isWritable()) {
                other.resumeReading();
            }
        }

        @Override
        public void onClose(Connection connection) {
            close(connection);
        }
    }
}
