package io.gev.sample;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles every {@code ```java} block of the README against gev, the starter, Spring Boot and
 * the test fixtures, so that a snippet pasted into an application compiles as shown, imports
 * included.
 *
 * <p>A block is a whole compilation unit, or the members of a class (a {@code @Bean} method, a
 * test), or statements (local classes allowed) that declare what they use: it passes if it
 * compiles as any of the three. A failure names the block's first README line.
 */
class ReadmeSnippetsTests {

    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path classes;

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompiles() throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        assertThat(blocks).as("java blocks in README.md").hasSizeGreaterThan(10);
        return blocks.stream().map((block) -> DynamicTest.dynamicTest("README.md line " + block.line(),
                () -> compile(block)));
    }

    private void compile(Block block) throws IOException {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.text().split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String name = "ReadmeSnippet" + block.line();
        List<String> failures = new ArrayList<>();
        String[] shapes = {
            block.text(),
            imports + "class " + name + " {\n" + body + "}\n",
            imports + "class " + name + " {\nvoid snippet() throws Exception {\n" + body + "}\n}\n",
        };
        for (String source : shapes) {
            String failure = errors(source);
            if (failure == null) {
                return;
            }
            failures.add(failure);
        }
        throw new AssertionError("The java block at README.md line " + block.line()
                + " compiles neither as a compilation unit, nor as class members, nor as statements:\n"
                + String.join("\n---\n", failures));
    }

    /** The compiler's errors for {@code source}, or {@code null} when it compiles. */
    private String errors(String source) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // Public classes must live in a file of their name; one of the name the source declares.
        String unit = publicTypeName(source);
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + unit + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classPath(), "-d", this.classes.toString(),
                    "-proc:none", "-Xlint:none");
            if (javac.getTask(null, files, diagnostics, options, null, List.of(file)).call()) {
                return null;
            }
        }
        StringBuilder out = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                out.append("line ").append(d.getLineNumber()).append(" of the shape: ")
                        .append(d.getMessage(Locale.ROOT)).append('\n');
            }
        }
        return out.toString();
    }

    private static String publicTypeName(String source) {
        for (String line : source.split("\n")) {
            String[] words = line.trim().split("[\\s<{]+");
            if (words.length > 2 && words[0].equals("public")
                    && List.of("class", "record", "interface", "enum").contains(words[1])) {
                return words[2];
            }
        }
        return "Snippet";
    }

    /** Surefire hands the test class path in a property; outside it, the JVM's own. */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The {@code ```java} blocks of {@code lines}, each with the README line it starts on. */
    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals("```java")) {
                int start = i + 1;
                // A block in a list item is indented as the item is: compile it without.
                int indent = lines.get(i).indexOf('`');
                StringBuilder text = new StringBuilder();
                for (i = start; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
                    String line = lines.get(i);
                    text.append(line.isBlank() ? "" : line.substring(Math.min(indent, line.length()))).append('\n');
                }
                blocks.add(new Block(start + 1, text.toString()));
            }
        }
        return blocks;
    }

    record Block(int line, String text) {
    }
}
