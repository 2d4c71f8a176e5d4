package io.runnerscaler.core.runner;

import java.util.Objects;

/** A secret value (runner token, JIT config). Its {@code toString} never shows the value, so logs and errors cannot. */
public record Secret(String value) {

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
