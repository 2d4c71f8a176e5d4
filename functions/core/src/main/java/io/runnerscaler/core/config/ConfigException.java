package io.runnerscaler.core.config;

import java.util.List;

/** The configuration is invalid. Carries every problem found, each naming its field path and line. */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
