package io.runnerscaler.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ConfigLoader} knows about the stack a config is for; a fact left empty is not checked. A deployed
 * function knows whether its stack has a GitHub App; {@code config validate} is told that and what the stack's
 * runner template boots; the planning tools ({@code simulate}, {@code import-gitlab}, {@code local}) know neither
 * and warn where a stack would refuse.
 *
 * @param githubApp      whether the stack manages GitHub runners through a GitHub App: with one every GitHub pool
 *                       must name its target, without one a GitHub pool is refused (its machines would wait for a
 *                       runner config that nothing writes)
 * @param runnerTemplate the stack's runner launch template and the architecture of its image, which the pools
 *                       that name no image of their own boot
 */
public record Deployment(Optional<Boolean> githubApp, Optional<RunnerTemplate> runnerTemplate) {

    /** Nothing known: only the config's own rules are checked. */
    public static final Deployment UNKNOWN = new Deployment(Optional.empty(), Optional.empty());

    public Deployment {
        Objects.requireNonNull(githubApp, "githubApp");
        Objects.requireNonNull(runnerTemplate, "runnerTemplate");
    }

    /** The stack's launch template ({@code <stack>-runner}) and its image's architecture. */
    public record RunnerTemplate(String name, Architecture architecture) {
        public RunnerTemplate {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(architecture, "architecture");
        }
    }

    /** A stack with or without a GitHub App, its runner image unknown. */
    public static Deployment githubApp(boolean configured) {
        return new Deployment(Optional.of(configured), Optional.empty());
    }

    public Deployment withRunnerTemplate(String name, Architecture architecture) {
        return new Deployment(githubApp, Optional.of(new RunnerTemplate(name, architecture)));
    }
}
