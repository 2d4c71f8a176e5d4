package io.runnerscaler.benchmarks.e2e;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code --name value} command-line options of the benchmark mains, with defaults. */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    public int integer(String name, int otherwise) {
        return Optional.ofNullable(values.get(name)).map(Integer::parseInt).orElse(otherwise);
    }

    public String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    public Optional<Path> path(String name) {
        return Optional.ofNullable(values.get(name)).map(Path::of);
    }

    /** The emulator: {@code --emulator}, else RUNNER_SCALER_AWS_ENDPOINT. */
    public URI emulator() {
        String e = Optional.ofNullable(values.get("emulator")).or(() -> Optional.ofNullable(
                System.getenv("RUNNER_SCALER_AWS_ENDPOINT"))).filter(s -> !s.isBlank()).orElseThrow(() ->
                new IllegalArgumentException("no emulator: pass --emulator URL or set RUNNER_SCALER_AWS_ENDPOINT "
                        + "(scripts/emulator.sh start prints it)"));
        return URI.create(e);
    }
}
