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

    /**
     * The emulator for one command's run ({@code runner-scaler local}, {@code demo}): the one named by
     * {@value #ENDPOINT_VARIABLE} or already started by {@code scripts/emulator.sh} (left running when the command
     * ends), or else one started for it, which {@link Lease#close()} stops again.
     */
    public static Lease lease() {
        synchronized (Emulator.class) {
            Optional<URI> given = Optional.ofNullable(System.getenv(ENDPOINT_VARIABLE))
                    .or(() -> Optional.ofNullable(System.getProperty(ENDPOINT_VARIABLE)))
                    .filter(s -> !s.isBlank()).map(URI::create).or(Emulator::alreadyRunning);
            if (given.isPresent()) {
                endpoint = given.get();
                return new Lease(endpoint, false);
            }
            endpoint = start();
            return new Lease(endpoint, true);
        }
    }

    /** An emulator a command uses; it stops the server on close only if the command started it. */
    public record Lease(URI endpoint, boolean startedHere) implements AutoCloseable {
        @Override
        public void close() {
            if (!startedHere) {
                return;
            }
            synchronized (Emulator.class) {
                run("stop");
                Emulator.endpoint = null;
            }
        }
    }

    /** The server {@code scripts/emulator.sh start} started earlier, when it still answers. */
    private static Optional<URI> alreadyRunning() {
        Path file;
        try {
            file = ProjectRoot.find().resolve(".emulator/endpoint");
        } catch (IllegalStateException noRepository) {
            return Optional.empty();
        }
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            URI uri = URI.create(Files.readString(file).strip());
            var response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
                    HttpRequest.newBuilder(uri.resolve("/moto-api/")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 ? Optional.of(uri) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
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
        String out = run("start");
        if (out.isEmpty()) {
            throw new IllegalStateException("scripts/emulator.sh start printed no endpoint");
        }
        String[] lines = out.split("\\R");
        return URI.create(lines[lines.length - 1]);
    }

    /** Runs {@code scripts/emulator.sh ACTION}; returns what it printed. */
    private static String run(String action) {
        Path script = ProjectRoot.find().resolve("scripts/emulator.sh");
        try {
            Process p = new ProcessBuilder("bash", script.toString(), action)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("scripts/emulator.sh " + action + " failed (exit " + p.exitValue() + ")");
            }
            return out;
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
