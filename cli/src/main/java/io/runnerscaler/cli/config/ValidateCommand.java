package io.runnerscaler.cli.config;

import io.runnerscaler.core.config.Architecture;
import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.Deployment;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.runner.BootstrapSettings;
import io.runnerscaler.core.runner.UserData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runner-scaler config validate FILE}: the same checks a function runs at cold start, before deploying. */
@Command(name = "validate",
        description = {
            "Check a pools YAML file the way the scaler does when it starts.",
            "Prints every problem with its field path and line, or a summary of the pools."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the configuration is valid",
            "1:the configuration is invalid (problems on standard error)",
            "2:usage error or unreadable file"})
public final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "Pools YAML file to check.")
    Path file;

    @Option(names = "--github-app", description = {"Check as for a stack with a GitHub App (GitHubAppId set):",
            "every GitHub pool must name its github target. Without it, GitHub pools are refused, as a stack",
            "without an App refuses them."})
    boolean githubApp;

    @Option(names = "--gitlab-api-token", description = {"Check as for a stack with a GitLab API token",
            "(GitLabApiTokenParameterName set). Without it, what GitLab pools do without the token is printed."})
    boolean gitlabApiToken;

    @Option(names = "--stack", defaultValue = "${env:RUNNER_SCALER_STACK:-runner-scaler}", paramLabel = "NAME",
            description = {"The stack's name; its runner template is NAME-runner (default ${DEFAULT-VALUE})."})
    String stack;

    @Option(names = "--runner-architecture", defaultValue = "x86_64", paramLabel = "ARCH",
            description = {"Architecture of the stack's runner image (RunnerImageId): x86_64 or arm64",
                "(default ${DEFAULT-VALUE}). Pools on the stack's template must use instance types of it."})
    String runnerArchitecture;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text;
        try {
            text = ConfigFiles.read(file);
        } catch (ConfigFiles.UnreadableFile e) {
            err.println(e.getMessage());
            return ConfigCommand.USAGE;
        }
        Architecture image = Architecture.ofImage(runnerArchitecture).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "--runner-architecture: '" + runnerArchitecture + "' is not x86_64 or arm64"));
        Deployment deployment = Deployment.githubApp(githubApp).withRunnerTemplate(stack + "-runner", image);
        ScalerConfig config;
        try {
            config = new ConfigLoader(deployment).parse(text);
        } catch (ConfigException e) {
            e.problems().forEach(problem -> err.println(file + ": " + problem));
            if (!spec.commandLine().getParseResult().hasMatchedOption("--runner-architecture")
                    && e.problems().stream().anyMatch(p -> p.contains("the stack's runner template"))) {
                err.printf("%s: (the runner image was taken as %s, the template's default RunnerImageId; if yours is"
                        + " another, pass --runner-architecture)%n", file, image.imageArchitecture());
            }
            err.printf("%s: invalid, %d problem(s)%n", file, e.problems().size());
            return ConfigCommand.INVALID_CONFIG;
        }
        List<String> bootstrap = bootstrapProblems(config);
        if (!bootstrap.isEmpty()) {
            bootstrap.forEach(problem -> err.println(file + ": " + problem));
            err.printf("%s: invalid, %d problem(s)%n", file, bootstrap.size());
            return ConfigCommand.INVALID_CONFIG;
        }
        out.printf("%s: valid, concurrent %d, %d pool(s): %s%n", file, config.concurrent(), config.pools().size(),
                config.pools().stream().map(PoolConfig::name).collect(Collectors.joining(", ")));
        if (!gitlabApiToken) {
            withoutGitLabApiToken(config).forEach(warning -> err.println(file + ": warning: " + warning));
        }
        return ConfigCommand.OK;
    }

    /**
     * What GitLab pools lose on a stack without a GitLab API token: everything the scaler learns from GitLab's API
     * rather than from the Job Hook. Not an error: a stack of untagged pools on one runner works without it.
     */
    static List<String> withoutGitLabApiToken(ScalerConfig config) {
        List<String> gitlab = config.pools().stream().filter(p -> p.forge() == Forge.GITLAB).map(PoolConfig::name)
                .toList();
        if (gitlab.isEmpty()) {
            return List.of();
        }
        List<String> lost = new ArrayList<>();
        String pools = "GitLab pool(s) " + String.join(", ", gitlab);
        lost.add(pools + " without a GitLab API token (GitLabApiTokenParameterName; pass --gitlab-api-token if the"
                + " stack has one) lose:");
        lost.add("  job tags: the Job Hook carries none, so every job is matched as untagged and only pools with"
                + " runUntagged take jobs");
        lost.add("  the machine a job runs on: the Job Hook names the runner, which all machines of a pool share,"
                + " never the runner manager, so a running job marks busy the machine launched for it or the one"
                + " idle longest (busy marks and maxBuilds counts can land on another machine), and a job another"
                + " runner took can mark one of ours busy");
        lost.add("  the busy re-check and runner manager removal before a machine is terminated (the table's BUSY"
                + " state is the only check; each machine removes its own manager at shutdown)");
        lost.add("  retries of jobs that failed on a spot interruption");
        if (!config.watch().gitlabProjects().isEmpty() || !config.watch().gitlabGroups().isEmpty()) {
            lost.add("  the listing of watch.gitlab.projects and watch.gitlab.groups for jobs whose webhook was lost");
        }
        return lost;
    }

    /**
     * What would make a pool's launches fail at once: its runner bootstrap cannot be rendered into user-data
     * (a GitLab pool without tokenParameter, a script over EC2's 16 KB). Rendered with stand-in deployment
     * values, which cannot cause such a problem.
     */
    static List<String> bootstrapProblems(ScalerConfig config) {
        UserData userData = new UserData();
        List<String> problems = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            try {
                userData.render(pool, new BootstrapSettings("https://gitlab.com", "alpine:latest", "bootstrap-secrets",
                        BootstrapSettings.safetyIdleTimeoutFor(pool), Duration.ZERO, Duration.ofMinutes(10)));
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }
}
