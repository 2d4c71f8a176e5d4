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
 * @param gitlabGroups       GitLab group ids or paths: every project of the group and its subgroups is watched
 * @param githubRepositories GitHub {@code owner/repo} names
 * @param every              how often each project (and each group's list of projects) is listed at most
 * @param pendingAfter       a job younger than this is left to its webhook
 * @param callsPerPass       most forge API calls one reaper pass makes for this, over all projects and groups
 */
public record WatchConfig(List<String> gitlabProjects, List<String> gitlabGroups, List<String> githubRepositories,
                          Duration every, Duration pendingAfter, int callsPerPass) {

    static final Duration DEFAULT_EVERY = Duration.ofMinutes(5);
    static final Duration DEFAULT_PENDING_AFTER = Duration.ofMinutes(2);
    static final int DEFAULT_CALLS_PER_PASS = 10;

    /** Nothing watched: the reaper asks no forge. */
    public static final WatchConfig NONE = new WatchConfig(List.of(), List.of(), List.of(), DEFAULT_EVERY,
            DEFAULT_PENDING_AFTER, DEFAULT_CALLS_PER_PASS);

    public WatchConfig {
        gitlabProjects = List.copyOf(gitlabProjects);
        gitlabGroups = List.copyOf(gitlabGroups);
        githubRepositories = List.copyOf(githubRepositories);
    }

    /** Projects and repositories only, no groups. */
    public WatchConfig(List<String> gitlabProjects, List<String> githubRepositories, Duration every,
                       Duration pendingAfter, int callsPerPass) {
        this(gitlabProjects, List.of(), githubRepositories, every, pendingAfter, callsPerPass);
    }

    /**
     * One watched project or repository of one forge, or one group whose projects are listed first.
     *
     * @param project the project id or path, the {@code owner/repo}, or for a {@link Kind#GROUP} the group
     */
    public record Target(Forge forge, String project, Kind kind) {

        /** A project or repository. */
        public Target(Forge forge, String project) {
            this(forge, project, Kind.PROJECT);
        }

        /** A GitLab group: listing it yields projects to watch, not jobs. */
        public static Target group(String group) {
            return new Target(Forge.GITLAB, group, Kind.GROUP);
        }

        @Override
        public String toString() {
            return forge.id() + (kind == Kind.GROUP ? "-group:" : ":") + project;
        }
    }

    /** What listing a target yields. */
    public enum Kind {
        /** Pending jobs. */
        PROJECT,
        /** The projects of a group and its subgroups, which are then watched like listed ones. */
        GROUP
    }

    /** Every watched project, GitLab first, in the order written, then the GitLab groups. */
    public List<Target> targets() {
        var all = new ArrayList<Target>();
        gitlabProjects.forEach(p -> all.add(new Target(Forge.GITLAB, p)));
        githubRepositories.forEach(r -> all.add(new Target(Forge.GITHUB, r)));
        gitlabGroups.forEach(g -> all.add(Target.group(g)));
        return all;
    }
}
