package io.runnerscaler.cli.ops;

import io.runnerscaler.lambda.Settings;
import io.runnerscaler.testkit.Emulator;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The stack {@code runner-scaler local} is running, written where the operator commands ({@code machines},
 * {@code jobs}, {@code dlq redrive}) find it when run beside it: {@code .emulator/local-stack.env} in the
 * repository (git-ignored), the {@code RUNNER_SCALER_*} variables the functions would get, one per line, and the
 * process id of the {@code local} that wrote it, so a file a killed run left behind is not taken for a live stack.
 * It names tables, queues and parameters, never a secret.
 */
final class LocalStack {

    static final String PID = "RUNNER_SCALER_LOCAL_PID";
    private static final String FILE = ".emulator/local-stack.env";

    private LocalStack() {
    }

    /** Where the file lives, when this runs inside the repository. */
    static Optional<Path> file() {
        try {
            return Optional.of(Emulator.ProjectRoot.find().resolve(FILE));
        } catch (IllegalStateException outsideTheRepository) {
            return Optional.empty();
        }
    }

    /** Writes the running stack's settings; returns the file, or empty when there is no repository to put it in. */
    static Optional<Path> write(Settings settings) {
        return file().map(path -> {
            var values = new TreeMap<>(settings.environment());
            values.put(PID, Long.toString(ProcessHandle.current().pid()));
            var text = new StringWriter();
            values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            try {
                Files.createDirectories(path.getParent());
                Files.writeString(path, text.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
            return path;
        });
    }

    /** The running local stack's variables, if a live {@code local} wrote the file. */
    static Optional<Map<String, String>> read() {
        return values().filter(v -> Optional.ofNullable(v.get(PID)).flatMap(LocalStack::pid)
                .flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false));
    }

    /** Removes the file if this process wrote it (not another run's). */
    static void delete() {
        String self = Long.toString(ProcessHandle.current().pid());
        if (values().map(v -> v.get(PID)).filter(self::equals).isPresent()) {
            try {
                Files.deleteIfExists(file().orElseThrow());
            } catch (IOException e) {
                // left behind, it is ignored: its pid is no longer alive
            }
        }
    }

    private static Optional<Map<String, String>> values() {
        return file().filter(Files::isRegularFile).flatMap(path -> {
            var properties = new Properties();
            try {
                properties.load(new StringReader(Files.readString(path)));
            } catch (IOException | IllegalArgumentException e) {
                return Optional.empty();
            }
            var values = new TreeMap<String, String>();
            properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
            return Optional.of(values);
        });
    }

    private static Optional<Long> pid(String value) {
        try {
            return Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
