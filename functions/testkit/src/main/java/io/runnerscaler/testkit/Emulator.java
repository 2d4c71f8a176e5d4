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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local AWS emulator (the moto server): the one named by {@code RUNNER_SCALER_AWS_ENDPOINT}, or one
 * started with {@code scripts/emulator.sh start}. Used by the tests (through {@link AwsEmulator}) and by
 * {@code runner-scaler demo} and {@code local}.
 *
 * <p>The tests that run functions under their template roles use a second server that enforces IAM
 * ({@link #iamEndpoint()}): moto counts unauthenticated calls per server process, so that server is their own.
 */
public final class Emulator {

    public static final String ENDPOINT_VARIABLE = "RUNNER_SCALER_AWS_ENDPOINT";
    /** The IAM-enforcing server's endpoint, when one runs already ({@code scripts/emulator.sh start iam}). */
    public static final String IAM_ENDPOINT_VARIABLE = "RUNNER_SCALER_IAM_AWS_ENDPOINT";

    private Emulator() {
    }

    private static volatile URI endpoint;
    private static URI iamEndpoint;

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
        call(endpoint(), "POST", "/moto-api/reset", HttpRequest.BodyPublishers.noBody());
    }

    /**
     * The IAM-enforcing emulator: the one named by {@code RUNNER_SCALER_IAM_AWS_ENDPOINT}, or one started with
     * {@code scripts/emulator.sh start iam} and stopped again when this JVM exits.
     */
    public static synchronized URI iamEndpoint() {
        if (iamEndpoint == null) {
            iamEndpoint = Optional.ofNullable(System.getenv(IAM_ENDPOINT_VARIABLE))
                    .or(() -> Optional.ofNullable(System.getProperty(IAM_ENDPOINT_VARIABLE)))
                    .filter(s -> !s.isBlank()).map(URI::create).orElseGet(() -> {
                        URI started = start("iam");
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> run("stop", "iam")));
                        return started;
                    });
        }
        return iamEndpoint;
    }

    /**
     * Clears the IAM-enforcing emulator's state (its users and roles too) and the calls it refused, then lets
     * the next {@code unauthenticatedCalls} calls through without checking them (moto's
     * {@code INITIAL_NO_AUTH_ACTION_COUNT}, re-armed): enough to create the first credentials.
     */
    public static void resetIam(int unauthenticatedCalls) {
        call(iamEndpoint(), "POST", "/moto-api/reset", HttpRequest.BodyPublishers.noBody());
        call(iamEndpoint(), "POST", "/moto-api/reset-auth",
                HttpRequest.BodyPublishers.ofString(Integer.toString(unauthenticatedCalls)));
    }

    /**
     * The calls the IAM-enforcing emulator refused since its last reset: a JSON array of
     * {@code {"principal": "arn:aws:sts::...:assumed-role/ROLE/SESSION", "action": "ec2:TerminateInstances"}}.
     */
    public static String deniedCalls() {
        return call(iamEndpoint(), "GET", "/_runner-scaler/denied-calls", HttpRequest.BodyPublishers.noBody());
    }

    private static String call(URI server, String method, String path, HttpRequest.BodyPublisher body) {
        try {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.resolve(path))
                            .method(method, body).header("Content-Type", "text/plain")
                            // A reset after a large test (1,000 jobs, 40 instances) takes seconds on a loaded machine.
                            .timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("emulator " + method + " " + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("emulator at " + server + " cannot be reached (" + method + " " + path
                    + ": " + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @param instance nothing, or {@code iam} for the IAM-enforcing server */
    private static URI start(String... instance) {
        List<String> arguments = new ArrayList<>(List.of("start"));
        arguments.addAll(List.of(instance));
        String out = run(arguments.toArray(String[]::new));
        if (out.isEmpty()) {
            throw new IllegalStateException("scripts/emulator.sh start printed no endpoint");
        }
        String[] lines = out.split("\\R");
        return URI.create(lines[lines.length - 1]);
    }

    /** Runs scripts/emulator.sh with these arguments; its standard output. */
    private static String run(String... arguments) {
        Path script = ProjectRoot.find().resolve("scripts/emulator.sh");
        try {
            List<String> command = new ArrayList<>(List.of("bash", script.toString()));
            command.addAll(List.of(arguments));
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("scripts/emulator.sh " + String.join(" ", arguments) + " failed (exit "
                        + p.exitValue() + ")");
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
