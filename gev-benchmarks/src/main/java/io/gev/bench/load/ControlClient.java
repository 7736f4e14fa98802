package io.gev.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Asks a benchmark server's control port (see {@code io.gev.bench.server.ControlPort}) for its memory. */
public final class ControlClient {

    private ControlClient() {
    }

    /** Sends {@code command} and parses the {@code key=value ...} answer line. */
    public static Map<String, Long> ask(int port, String command) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (line == null) {
                throw new IOException("control port " + port + " closed without an answer to " + command);
            }
            Map<String, Long> values = new HashMap<>();
            for (String kv : line.trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    values.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
            }
            return values;
        }
    }
}
