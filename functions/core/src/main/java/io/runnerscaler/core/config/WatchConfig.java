package io.runnerscaler.core.config;

import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The projects and repositories the reaper asks for pending jobs, so a job whose webhook was lost still gets
 * a machine: the {@code watch} section of the pools YAML.
 *
 * @param gitlabProjects     GitLab project ids or {@code group/project} paths
 * @param githubRepositories GitHub {@code owner/repo} names
 * @param every              how often each project is listed at most
 * @param pendingAfter       a job younger than this is left to its webhook
 * @param callsPerPass       most forge API calls one reaper pass makes for this, over all projects
 */
public record WatchConfig(List<String> gitlabProjects, List<String> githubRepositories, Duration every,
                          Duration pendingAfter, int callsPerPass) {

    static final Duration DEFAULT_EVERY = Duration.ofMinutes(5);
    static final Duration DEFAULT_PENDING_AFTER = Duration.ofMinutes(2);
    static final int DEFAULT_CALLS_PER_PASS = 10;

    /** Nothing watched: the reaper asks no forge. */
    public static final WatchConfig NONE = new WatchConfig(List.of(), List.of(), DEFAULT_EVERY,
            DEFAULT_PENDING_AFTER, DEFAULT_CALLS_PER_PASS);

    public WatchConfig {
        gitlabProjects = List.copyOf(gitlabProjects);
        githubRepositories = List.copyOf(githubRepositories);
    }

    /** One watched project or repository of one forge. */
    public record Target(Forge forge, String project) {
        @Override
        public String toString() {
            return forge.id() + ":" + project;
        }
    }

    /** Every watched project, GitLab first, in the order written. */
    public List<Target> targets() {
        var all = new ArrayList<Target>();
        gitlabProjects.forEach(p -> all.add(new Target(Forge.GITLAB, p)));
        githubRepositories.forEach(r -> all.add(new Target(Forge.GITHUB, r)));
        return all;
    }
}
