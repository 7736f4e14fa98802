package io.gev.bench.load;

import java.io.IOException;

/**
 * Mode client: the measured processes are benchmark clients ({@code io.gev.bench.client.BenchClient})
 * that bounce messages off one echo server; this process only tells them, through their control
 * ports, when to go and when to pause, and counts what each echoed in its turns. Their CPU and
 * heap per message come from the {@link Meter}s, which here watch the clients' processes.
 */
final class ClientLoad extends LoadRun {

    /** Messages each client had counted when it was last paused. */
    private final long[] counted;

    ClientLoad(LoadOptions options) throws IOException {
        super(options);
        this.counted = new long[meters.length];
    }

    Report[] run() throws IOException {
        for (int i = 0; i < meters.length; i++) {
            counted[i] = ask(i, "count");
        }
        return measure(options.messageSize);
    }

    private long ask(int client, String command) throws IOException {
        Long messages = ControlClient.ask(meters[client].controlPort, command).get("messages");
        if (messages == null) {
            throw new IOException("client " + meters[client].label + " did not answer " + command);
        }
        return messages;
    }

    @Override
    void onKey(java.nio.channels.SelectionKey key) {
        // No connections of its own.
    }

    @Override
    void startLoad(int server, long now) throws IOException {
        ask(server, "go");
    }

    @Override
    void stopLoad(int server) {
        try {
            long total = ask(server, "pause");
            meters[server].completedUntimed(total - counted[server]);
            counted[server] = total;
        } catch (IOException e) {
            error("pausing " + meters[server].label + ": " + e);
        }
    }

    @Override
    boolean drained(int server) {
        return true; // "pause" answers once the client's messages in flight are back
    }

    @Override
    Report[] measure(int messageSize) throws IOException {
        Report[] reports = super.measure(messageSize);
        for (int i = 0; i < meters.length; i++) {
            Long errors = ControlClient.ask(meters[i].controlPort, "count").get("errors");
            if (errors != null && errors > 0) {
                error(meters[i].label + " saw " + errors + " errors");
            }
        }
        return withErrors(reports);
    }
}
