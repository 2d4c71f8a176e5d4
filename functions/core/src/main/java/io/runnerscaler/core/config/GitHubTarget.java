package io.runnerscaler.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a GitHub pool's runners register: an organisation (in a runner group) or one repository. Set per pool
 * with {@code github: {organization: acme, runnerGroupId: 3}} or {@code github: {repository: acme/app}}.
 *
 * @param runnerGroupId organisation runner group; 1 is the "Default" group. Repository runners use 1.
 */
public record GitHubTarget(String owner, Optional<String> repository, long runnerGroupId) {

    /** The "Default" runner group every organisation has. */
    public static final long DEFAULT_RUNNER_GROUP = 1;

    public GitHubTarget {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(repository, "repository");
    }

    public static GitHubTarget organization(String org, long runnerGroupId) {
        return new GitHubTarget(org, Optional.empty(), runnerGroupId);
    }

    public static GitHubTarget repository(String owner, String repository) {
        return new GitHubTarget(owner, Optional.of(repository), DEFAULT_RUNNER_GROUP);
    }

    @Override
    public String toString() {
        return repository.map(r -> "repository '" + owner + "/" + r + "'").orElse("organization '" + owner + "'");
    }
}
