package io.runnerscaler.cli.config;

/**
 * A config.toml setting the import could not carry over as is, and what the operator should do about it.
 * Never holds a secret: messages name options, and quote values only of options that are not secrets.
 *
 * @param scope  where the setting was: {@code global} or {@code runners[0] "name"}
 * @param option the config.toml key or MachineOptions flag
 */
public record ImportWarning(String scope, String option, String message) {

    @Override
    public String toString() {
        return scope + ": " + option + ": " + message;
    }
}
