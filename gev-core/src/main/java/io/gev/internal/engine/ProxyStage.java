package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.ProxyProtocol;
import io.gev.buffer.RingBuffer;
import io.gev.internal.proxy.ProxyHeader;
import io.gev.internal.proxy.ProxyHeaderDecoder;
import io.gev.internal.proxy.ProxyHeaderException;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.transport.EventSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads a connection's PROXY protocol header off its socket before any layer above starts: the
 * socket's events come here until the header is complete, then go back to where they went (the
 * TLS layer or the connection), what came behind the header in the same read is put back in
 * front of the socket's bytes, and {@link Opening#proxied} goes on with the client's address.
 * It reads no further than the header where it can (a v2 header says its length), so only a v1
 * line leaves bytes to put back. Loop thread only.
 */
final class ProxyStage extends EventSink {

    private final ConnectionImpl connection;
    private final AbstractSocketIo socket;
    private final ProxyProtocol options;
    private EventSink above;
    private byte[] bytes = new byte[ProxyHeaderDecoder.V2_FIXED_LENGTH];
    private int count;
    private int length = -1;
    private ScheduledFuture<?> timer;

    ProxyStage(ConnectionImpl connection, AbstractSocketIo socket, ProxyProtocol options) {
        this.connection = connection;
        this.socket = socket;
        this.options = options;
    }

    /** Takes the socket's events and reads what is there already; read interest is set. */
    void start() {
        above = socket.eventSink();
        socket.redirectEvents(this);
        try {
            timer = connection.loop.netty().schedule(this::timedOut, options.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            Closing.close(connection, CloseReason.SHUTDOWN, null); // the loop is shutting down
            return;
        }
        readHeader();
    }

    @Override
    public void onIoEvent(boolean readable, boolean writable, boolean hangup) {
        try {
            if (connection.state().live) {
                readHeader();
            }
        } catch (Throwable t) {
            Closing.unexpectedFailure(connection, t);
        }
    }

    private void readHeader() {
        RingBuffer scratch = connection.loop.readBuffer;
        try {
            while (true) {
                int limit = ProxyHeaderDecoder.readLimit(bytes, count, length);
                if (limit > bytes.length) {
                    bytes = Arrays.copyOf(bytes, limit);
                }
                scratch.reset();
                ByteBuffer dst = scratch.writableSegment(limit - count);
                int start = dst.position();
                dst.limit(start + limit - count);
                int n = socket.read(dst);
                if (n < 0) {
                    ended();
                    return;
                }
                if (n == 0) {
                    return;
                }
                dst.get(start, bytes, count, n);
                count += n;
                length = ProxyHeaderDecoder.length(bytes, count, options.maxHeaderSize());
                if (length >= 0 && count >= length) {
                    done();
                    return;
                }
            }
        } catch (ProxyHeaderException e) {
            failed(e.getMessage());
        } catch (IOException e) {
            cancelTimer();
            Closing.ioFailed(connection, "read of the PROXY protocol header", e);
        }
    }

    private void done() throws ProxyHeaderException {
        cancelTimer();
        ProxyHeader header = ProxyHeaderDecoder.decode(bytes, length);
        socket.redirectEvents(above);
        if (count > length) {
            socket.unread(ByteBuffer.wrap(bytes, length, count - length));
        }
        bytes = null;
        Opening.proxied(connection, header, above);
    }

    private void ended() {
        cancelTimer();
        if (count == 0) {
            // A balancer's health check connects and closes; nothing to report.
            Closing.close(connection, CloseReason.PEER, null);
        } else {
            failed("the connection ended after " + count + " bytes of a PROXY protocol header");
        }
    }

    private void timedOut() {
        timer = null;
        if (connection.state().live) {
            failed("no complete PROXY protocol header within " + options.headerTimeout()
                    + " (" + count + " bytes received)");
        }
    }

    private void failed(String why) {
        cancelTimer();
        Closing.proxyHeaderFailed(connection, why);
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            timer = null;
            t.cancel(false);
        }
    }

    /** The loop closed the socket as it shut down: nothing to free but the timer. */
    @Override
    public void socketClosedByLoop() {
        cancelTimer();
    }
}
