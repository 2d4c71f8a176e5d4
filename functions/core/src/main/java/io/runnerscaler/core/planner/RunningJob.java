package io.runnerscaler.core.planner;

import java.util.Objects;
import java.util.Optional;

/**
 * What the forge said about the runner of a job that started, for {@link Planner#placeRunningJob}.
 *
 * @param jobKey        the job ({@code gitlab:1977})
 * @param runnerName    the runner's name (GitHub {@code runner_name}; GitLab's Job Hook {@code runner.description},
 *                      shared by every machine of a pool)
 * @param runnerId      the forge's id of the runner that took the job (GitLab {@code runner.id})
 * @param runnerManager GitLab: the system id of the runner manager running the job (Jobs API, GitLab 17.0+)
 * @param poolRunnerId  GitLab: the id of the pool's own runner, when known (its token verified with GitLab)
 */
public record RunningJob(String jobKey, Optional<String> runnerName, Optional<String> runnerId,
                         Optional<String> runnerManager, Optional<String> poolRunnerId) {

    public RunningJob {
        Objects.requireNonNull(jobKey, "jobKey");
        Objects.requireNonNull(runnerName, "runnerName");
        Objects.requireNonNull(runnerId, "runnerId");
        Objects.requireNonNull(runnerManager, "runnerManager");
        Objects.requireNonNull(poolRunnerId, "poolRunnerId");
    }
}
