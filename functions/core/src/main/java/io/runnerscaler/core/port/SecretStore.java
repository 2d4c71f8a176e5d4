package io.runnerscaler.core.port;

import java.util.Optional;

/** Reads secrets by name (SSM SecureString in production). Values never go to logs. */
public interface SecretStore {

    Optional<String> get(String name);
}
