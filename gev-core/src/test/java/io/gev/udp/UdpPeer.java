package io.gev.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A JDK {@link DatagramSocket} on 127.0.0.1 as the other side of a test. */
final class UdpPeer implements AutoCloseable {

    static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

    final DatagramSocket socket;

    UdpPeer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(LOCALHOST, 0));
        socket.setSoTimeout(10_000);
        socket.setReceiveBufferSize(1 << 20);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(InetSocketAddress to, byte[] payload) throws IOException {
        socket.send(new DatagramPacket(payload, payload.length, to));
    }

    void send(InetSocketAddress to, String text) throws IOException {
        send(to, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next datagram's bytes; fails after 10 s. */
    byte[] receive() throws IOException {
        byte[] buffer = new byte[70_000];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return Arrays.copyOf(buffer, packet.getLength());
    }

    String receiveText() throws IOException {
        return new String(receive(), StandardCharsets.UTF_8);
    }

    /** The next datagram within {@code millis}, or {@code null}. */
    byte[] poll(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return receive();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
