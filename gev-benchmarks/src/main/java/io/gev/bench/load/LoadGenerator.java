package io.gev.bench.load;

import java.io.IOException;

/**
 * The benchmark client: one thread, non-blocking, against a server on this machine.
 *
 * <pre>
 * java -cp gev-benchmarks.jar io.gev.bench.load.LoadGenerator --mode echo --port 1833 -c 50 -m 6 \
 *      --warmup 2 -d 5 [--tls] [--server-pid PID] [--control-port PORT] [--label gev]
 * </pre>
 *
 * Prints a table and one {@code RESULT ...} line per server; exits with 1 when any error was seen.
 * With {@code --port-b ...} two servers take the same load in alternating slices (see
 * {@link StreamLoad}).
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** Runs one load and returns its report (the first server's, when there are two). */
    public static Report run(LoadOptions options) throws IOException {
        return runAll(options)[0];
    }

    /** Runs one load and returns a report per server. */
    public static Report[] runAll(LoadOptions options) throws IOException {
        if (options.mode == LoadOptions.Mode.CLIENT) {
            try (ClientLoad load = new ClientLoad(options)) {
                return load.run();
            }
        }
        if (options.mode == LoadOptions.Mode.UDP) {
            try (UdpLoad load = new UdpLoad(options)) {
                return load.run();
            }
        }
        if (options.mode == LoadOptions.Mode.CONNECT || options.mode == LoadOptions.Mode.HANDSHAKE) {
            try (ConnectLoad load = new ConnectLoad(options)) {
                return load.run();
            }
        }
        try (StreamLoad load = new StreamLoad(options)) {
            return load.run();
        }
    }

    public static void main(String[] args) throws IOException {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("usage: LoadGenerator --mode echo|pipeline|ws|connect|handshake|client|udp [--idle] --port P -c C -m M"
                    + " [-k K] [--tls] [--resume] [--warmup S] [-d S] [--path /echo] [--server-pid PID] [--control-port P]"
                    + " [--label NAME] [--seed N] [--port-b P --server-pid-b PID --control-port-b P --label-b NAME"
                    + " [--slice S]]\n" + e.getMessage());
            System.exit(2);
            return;
        }
        Report[] reports = runAll(options);
        for (Report r : reports) {
            r.print(System.out);
            System.out.println();
        }
        for (Report r : reports) {
            System.out.println(r.line());
        }
        System.exit(reports[0].errors == 0 ? 0 : 1);
    }
}
