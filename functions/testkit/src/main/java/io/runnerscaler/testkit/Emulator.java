package io.runnerscaler.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The local AWS emulator (the moto server): the one named by {@code RUNNER_SCALER_AWS_ENDPOINT}, or one
 * started with {@code scripts/emulator.sh start}. Used by the tests (through {@link AwsEmulator}) and by
 * {@code runner-scaler demo} and {@code local}.
 */
public final class Emulator {

    public static final String ENDPOINT_VARIABLE = "RUNNER_SCALER_AWS_ENDPOINT";

    private Emulator() {
    }

    private static volatile URI endpoint;

    /** The emulator's endpoint, starting the server if none is running. */
    public static URI endpoint() {
        URI e = endpoint;
        if (e == null) {
            synchronized (Emulator.class) {
                if (endpoint == null) {
                    endpoint = Optional.ofNullable(System.getenv(ENDPOINT_VARIABLE))
                            .or(() -> Optional.ofNullable(System.getProperty(ENDPOINT_VARIABLE)))
                            .filter(s -> !s.isBlank()).map(URI::create).orElseGet(Emulator::start);
                }
                e = endpoint;
            }
        }
        return e;
    }

    /** Clears every service's state. */
    public static void reset() {
        try {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("emulator reset answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("emulator at " + endpoint() + " cannot be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI start() {
        Path script = ProjectRoot.find().resolve("scripts/emulator.sh");
        try {
            Process p = new ProcessBuilder("bash", script.toString(), "start")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("scripts/emulator.sh start failed (exit " + p.exitValue() + ")");
            }
            String[] lines = out.split("\\R");
            return URI.create(lines[lines.length - 1]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The repository root: the nearest directory above the working directory that has scripts/emulator.sh. */
    public static final class ProjectRoot {
        private ProjectRoot() {
        }

        public static Path find() {
            String given = System.getProperty("runner-scaler.root");
            if (given != null && Files.isRegularFile(Path.of(given, "scripts/emulator.sh"))) {
                return Path.of(given);
            }
            Path dir = Path.of("").toAbsolutePath();
            while (dir != null) {
                if (Files.isRegularFile(dir.resolve("scripts/emulator.sh"))) {
                    return dir;
                }
                dir = dir.getParent();
            }
            throw new IllegalStateException("no scripts/emulator.sh above " + Path.of("").toAbsolutePath()
                    + "; run from the repository or through bin/runner-scaler");
        }
    }
}
