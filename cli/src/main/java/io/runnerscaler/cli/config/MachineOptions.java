package io.runnerscaler.cli.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A runner's {@code MachineOptions}: docker-machine flags written as {@code "amazonec2-region=eu-west-1"}, or
 * as a bare {@code "amazonec2-request-spot-instance"} for a boolean flag. Some flags repeat
 * ({@code amazonec2-security-group}, {@code amazonec2-open-port}), so each name keeps all its values in order.
 */
record MachineOptions(Map<String, List<String>> values) {

    /** The value docker-machine gives a boolean flag written without {@code =value}. */
    static final String FLAG_SET = "true";

    MachineOptions {
        var copy = new LinkedHashMap<String, List<String>>();
        values.forEach((name, vs) -> copy.put(name, List.copyOf(vs)));
        values = java.util.Collections.unmodifiableMap(copy);
    }

    static MachineOptions parse(List<String> options) {
        var values = new LinkedHashMap<String, List<String>>();
        for (String option : options) {
            String trimmed = option.strip();
            // docker-machine accepts the flags with or without their leading dashes.
            while (trimmed.startsWith("-")) {
                trimmed = trimmed.substring(1);
            }
            int eq = trimmed.indexOf('=');
            String name = eq < 0 ? trimmed : trimmed.substring(0, eq).strip();
            String value = eq < 0 ? FLAG_SET : trimmed.substring(eq + 1).strip();
            if (!name.isEmpty()) {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new MachineOptions(values);
    }

    Optional<String> first(String name) {
        List<String> vs = values.get(name);
        return vs == null || vs.isEmpty() ? Optional.empty() : Optional.of(vs.get(0));
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** docker-machine reads a boolean flag as set when it is present and not explicitly "false". */
    boolean flag(String name) {
        return first(name).map(v -> !v.equalsIgnoreCase("false") && !v.equals("0")).orElse(false);
    }
}
