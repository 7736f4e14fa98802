package io.gev.websocket;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python's {@code websockets} library (Debian's python3-websockets, which .ci/run installs) for
 * the tests that run a client of it: the interpreter, and the client scripts among the test
 * resources copied to files it can run.
 */
final class PythonWebSockets {

    private PythonWebSockets() {
    }

    /**
     * A python3 that imports {@code websockets}; skips the calling test class (an assumption
     * fails) when there is none.
     */
    static String python() throws InterruptedException {
        // A pyenv or venv python3 on PATH may lack the Debian package: prefer the system one.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        String problem = null;
        try {
            Process p = new ProcessBuilder(python, "-c", "import websockets").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problem = output.strip();
            }
        } catch (IOException e) {
            problem = e.toString();
        }
        Assumptions.assumeTrue(problem == null, "skipped: " + python + " cannot import websockets ("
                + "install python3-websockets, as .ci/run does): " + problem);
        return python;
    }

    /**
     * Runs {@code script} with {@code args} and returns what it printed, stripped; fails the test
     * when it takes over 90 seconds or exits with a code other than 0.
     */
    static String run(String python, Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    /** Copies the script {@code resource} to a temporary file, deleted when the JVM exits. */
    static Path script(String resource) throws IOException {
        Path file = Files.createTempFile("gev-ws", ".py");
        try (InputStream in = PythonWebSockets.class.getResourceAsStream(resource)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        file.toFile().deleteOnExit();
        return file;
    }
}
