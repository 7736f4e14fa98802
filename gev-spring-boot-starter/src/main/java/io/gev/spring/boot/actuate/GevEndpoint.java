package io.gev.spring.boot.actuate;

import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.EventLoop;
import io.gev.spring.boot.context.GevServers;
import io.gev.udp.DatagramServer;
import io.gev.udp.DatagramStats;
import io.gev.websocket.WebSocketServer;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Endpoint @Endpoint} {@code gev}: each gev server of the application, with its loops, its
 * connections and what they have queued, and each datagram server with its counters. Read-only, and it reads only gev's counters (plain
 * fields of the loops, so a value may lag by a few events), never a connection's data.
 */
@Endpoint(id = "gev")
public class GevEndpoint {

    private final GevServers servers;
    private final Map<String, DatagramServer> datagramServers;

    public GevEndpoint(GevServers servers) {
        this(servers, Map.of());
    }

    /** @param datagramServers the application's datagram servers by name, described beside the TCP ones */
    public GevEndpoint(GevServers servers, Map<String, DatagramServer> datagramServers) {
        this.servers = servers;
        this.datagramServers = Collections.unmodifiableMap(new LinkedHashMap<>(datagramServers));
    }

    @ReadOperation
    public GevDescriptor gev() {
        Map<String, ServerDescriptor> described = new LinkedHashMap<>();
        for (GevServers.Managed managed : this.servers) {
            described.put(managed.name(), describe(managed.server()));
        }
        Map<String, DatagramServerDescriptor> datagrams = new LinkedHashMap<>();
        this.datagramServers.forEach((name, server) -> datagrams.put(name, describe(server)));
        return new GevDescriptor(Collections.unmodifiableMap(described), Collections.unmodifiableMap(datagrams));
    }

    private static DatagramServerDescriptor describe(DatagramServer server) {
        boolean running = server.isRunning();
        DatagramStats stats = server.stats();
        return new DatagramServerDescriptor(running, running ? server.port() : null, server.transport().name(),
                server.options().maxDatagramSize(), stats.sockets(), stats.datagramsIn(), stats.datagramsOut(),
                stats.droppedOversize(), stats.droppedSendQueueFull(), stats.droppedBacklog(), stats.kernelDrops(),
                stats.handlerFailures(), stats.queuedSends());
    }

    private static ServerDescriptor describe(Server server) {
        ServerStats stats = server.stats();
        boolean running = server.isRunning();
        boolean tls = server.options().tls().isPresent();
        boolean webSocket = WebSocketServer.isWebSocket(server);
        List<EventLoop> started = server.loops();
        List<LoopDescriptor> loops = new ArrayList<>();
        for (int i = 0; i < stats.loops(); i++) {
            String name = i < started.size() ? started.get(i).name() : null;
            loops.add(new LoopDescriptor(i, name, stats.connections(i), stats.pendingTasks(i),
                    stats.writeBufferBytes(i)));
        }
        boolean unix = server.unixSocket().isPresent();
        return new ServerDescriptor(running, running && !unix ? server.port() : null,
                unix ? server.unixSocket().get().toString() : null, server.transport().name(), tls,
                server.protocol().getClass().getName(), webSocket, stats.activeConnections(),
                stats.writeBufferBytes(), tls ? stats.tlsSessions() : null,
                webSocket ? stats.upgradedConnections() : null, server.options().handlerExecution().mode().name(),
                server.options().handlerExecution().offloads() ? stats.handlerBacklog() : null, loops);
    }

    /**
     * The gev servers of an application.
     *
     * @param servers each TCP or WebSocket server by name, in start order
     * @param datagramServers each UDP server by name
     */
    public record GevDescriptor(Map<String, ServerDescriptor> servers,
            Map<String, DatagramServerDescriptor> datagramServers) implements OperationResponseBody {
    }

    /**
     * One datagram server.
     *
     * @param running whether its sockets are bound and read
     * @param port the bound port; {@code null} while not running
     * @param transport the I/O layer, {@code AUTO} resolved once running
     * @param maxDatagramSize the largest datagram it takes
     * @param sockets its sockets: one, or one per loop with reuse-port
     * @param datagramsIn datagrams received
     * @param datagramsOut datagrams sent
     * @param droppedOversize datagrams dropped for being over the size limit
     * @param droppedSendQueueFull sends dropped on a full send queue
     * @param droppedBacklog datagrams dropped on a full offloaded handler's queue
     * @param kernelDrops datagrams the kernel dropped on a full receive queue; -1 where it cannot tell (NIO)
     * @param handlerFailures datagrams whose handler threw
     * @param queuedSends datagrams waiting to be sent now
     */
    public record DatagramServerDescriptor(boolean running, Integer port, String transport, int maxDatagramSize,
            int sockets, long datagramsIn, long datagramsOut, long droppedOversize, long droppedSendQueueFull,
            long droppedBacklog, long kernelDrops, long handlerFailures, long queuedSends) {
    }

    /**
     * One server.
     *
     * @param running whether it is bound and its loops run
     * @param port the bound port; {@code null} while not running, or on a Unix domain socket
     * @param unixSocket the file of the Unix domain socket it listens on; {@code null} on TCP
     * @param transport the I/O layer, {@code AUTO} resolved once running
     * @param tls whether connections are served over TLS
     * @param protocol the class of the protocol that frames its connections
     * @param webSocket whether it is a WebSocket server
     * @param connections connections open now
     * @param writeBufferBytes bytes queued on its connections and not yet written
     * @param tlsSessions connections past their TLS handshake; {@code null} on a plain server
     * @param webSocketSessions connections past their upgrade; {@code null} unless a WebSocket server
     * @param handlerExecution where its handler runs: {@code LOOP}, {@code VIRTUAL_THREADS} or {@code EXECUTOR}
     * @param handlerBacklog messages waiting for its offloaded handler; {@code null} when it runs on the loop
     * @param loops its worker loops
     */
    public record ServerDescriptor(boolean running, Integer port, String unixSocket, String transport, boolean tls, String protocol,
            boolean webSocket, int connections, long writeBufferBytes, Integer tlsSessions,
            Integer webSocketSessions, String handlerExecution, Long handlerBacklog, List<LoopDescriptor> loops) {
    }

    /**
     * One worker loop of a server.
     *
     * @param index its position among the server's loops
     * @param name its thread's name; {@code null} until the server started
     * @param connections connections it owns now
     * @param pendingTasks tasks waiting in its queue
     * @param writeBufferBytes bytes queued on its connections and not yet written
     */
    public record LoopDescriptor(int index, String name, int connections, int pendingTasks,
            long writeBufferBytes) {
    }
}
