package io.runnerscaler.forges.github;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a pool's GitHub runners register: an organisation (in a runner group) or one repository.
 *
 * @param runnerGroupId organisation runner group; 1 is the "Default" group. Repository runners use 1.
 */
public record GitHubTarget(String owner, Optional<String> repository, long runnerGroupId) {

    public GitHubTarget {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(repository, "repository");
    }

    public static GitHubTarget organization(String org, long runnerGroupId) {
        return new GitHubTarget(org, Optional.empty(), runnerGroupId);
    }

    public static GitHubTarget repository(String owner, String repository) {
        return new GitHubTarget(owner, Optional.of(repository), 1);
    }

    /** {@code orgs/acme} or {@code repos/acme/app}, the prefix of the runner endpoints. */
    String path() {
        return repository.map(r -> "repos/" + owner + "/" + r).orElse("orgs/" + owner);
    }

    @Override
    public String toString() {
        return repository.map(r -> "repository '" + owner + "/" + r + "'").orElse("organization '" + owner + "'");
    }
}
