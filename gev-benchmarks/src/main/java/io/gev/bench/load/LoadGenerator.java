package io.gev.bench.load;

import java.io.IOException;

/**
 * The benchmark client: one thread, non-blocking, against a server on this machine.
 *
 * <pre>
 * java -cp gev-benchmarks.jar io.gev.bench.load.LoadGenerator --mode echo --port 1833 -c 50 -m 6 \
 *      --warmup 2 -d 5 [--server-pid PID] [--control-port PORT] [--label gev]
 * </pre>
 *
 * Prints a table and one {@code RESULT ...} line; exits with 1 when any error was seen.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** Runs one load and returns its report. */
    public static Report run(LoadOptions options) throws IOException {
        if (options.mode == LoadOptions.Mode.CONNECT) {
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
            System.err.println("usage: LoadGenerator --mode echo|pipeline|ws|connect [--idle] --port P -c C -m M"
                    + " [-k K] [--warmup S] [-d S] [--path /echo] [--server-pid PID] [--control-port P]"
                    + " [--label NAME] [--seed N]\n" + e.getMessage());
            System.exit(2);
            return;
        }
        Report report = run(options);
        report.print(System.out);
        System.out.println(report.line());
        System.exit(report.errors == 0 ? 0 : 1);
    }
}
