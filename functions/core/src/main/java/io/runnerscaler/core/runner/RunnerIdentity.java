package io.runnerscaler.core.runner;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a machine is named at the forge, derived from its EC2 instance id alone, so the control plane and the
 * bootstrap script agree without storing anything.
 *
 * <p>GitLab: every machine of a pool shares the pool's runner and registers as a runner manager whose system id
 * is {@code s_} + the last 12 characters of the instance id (left-padded with 0 for old 8-digit ids).
 * gitlab-runner accepts a system id from {@code .runner_system_id} only if it matches {@code ^[sr]_[0-9a-zA-Z]{12}$}
 * and silently generates a random one otherwise, so the id must fit that shape; 48 bits of the instance id keep
 * machines of one runner apart. The bootstrap script computes the same value in {@code system_id_for}.
 *
 * <p>GitHub: one runner per machine, named {@code <pool>-<instance id>}, at most 64 characters.
 */
public record RunnerIdentity(String pool, String instanceId) {

    /** gitlab-runner's own check of a system id read from its state file. */
    public static final Pattern GITLAB_SYSTEM_ID = Pattern.compile("^[sr]_[0-9a-zA-Z]{12}$");

    private static final Pattern INSTANCE_ID = Pattern.compile("^i-[0-9a-f]{8,17}$");
    private static final int GITHUB_NAME_MAX = 64;

    public RunnerIdentity {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(instanceId, "instanceId");
        if (!INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("'" + instanceId + "' is not an EC2 instance id (i- and 8 to 17 hex digits)");
        }
    }

    public String gitlabSystemId() {
        String digits = instanceId.substring(2);
        String padded = "0".repeat(Math.max(0, 12 - digits.length())) + digits;
        return "s_" + padded.substring(padded.length() - 12);
    }

    public String githubRunnerName() {
        String suffix = "-" + instanceId;
        String prefix = pool.length() + suffix.length() > GITHUB_NAME_MAX
                ? pool.substring(0, GITHUB_NAME_MAX - suffix.length())
                : pool;
        return prefix + suffix;
    }
}
