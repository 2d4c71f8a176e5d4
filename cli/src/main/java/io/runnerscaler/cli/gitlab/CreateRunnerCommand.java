package io.runnerscaler.cli.gitlab;

import io.runnerscaler.aws.SsmParameters;
import io.runnerscaler.cli.config.ConfigFiles;
import io.runnerscaler.cli.ops.AwsOptions;
import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.forges.gitlab.GitLabRunnersApi;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code runner-scaler gitlab create-runner}: creates a pool's runner in GitLab ({@code POST /api/v4/user/runners})
 * with the pool's tags and {@code runUntagged}, and stores its authentication token in the pool's
 * {@code tokenParameter} as a SecureString, where the pool's machines read it at boot. The token is never
 * printed. If storing it fails, the runner just created is deleted again, so GitLab is not left with a runner
 * whose token nobody has.
 */
@Command(name = "create-runner", mixinStandardHelpOptions = true,
        description = "Create a pool's GitLab runner and store its token (glrt-...) in the pool's tokenParameter.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:runner created and its token stored",
            "1:GitLab or SSM refused; nothing is left half-done",
            "2:usage error: unknown pool, not a GitLab pool, unreadable or invalid config"})
public final class CreateRunnerCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Option(names = "--config", required = true, description = "The pools YAML file.")
    Path config;

    @Option(names = "--pool", required = true, description = "The GitLab pool to create the runner for.")
    String pool;

    @ArgGroup(exclusive = true, multiplicity = "1")
    RunnerScope scope;

    static final class RunnerScope {
        @Option(names = "--project-id", description = "A project runner of this project (runner_type project_type).")
        Long projectId;

        @Option(names = "--group-id", description = "A group runner of this group (runner_type group_type).")
        Long groupId;

        @Option(names = "--instance", description = "An instance runner (runner_type instance_type; administrators).")
        boolean instance;

        GitLabRunnersApi.Scope toScope() {
            if (projectId != null) {
                return new GitLabRunnersApi.Scope.Project(projectId);
            }
            if (groupId != null) {
                return new GitLabRunnersApi.Scope.Group(groupId);
            }
            return new GitLabRunnersApi.Scope.Instance();
        }
    }

    @Option(names = "--access-token-parameter", required = true,
            description = "SSM SecureString holding a GitLab access token with the create_runner scope.")
    String accessTokenParameter;

    @Option(names = "--gitlab-url", defaultValue = "${env:RUNNER_SCALER_GITLAB_URL:-https://gitlab.com}",
            description = "GitLab base URL (default: ${DEFAULT-VALUE}).")
    URI gitlabUrl;

    @Option(names = "--overwrite", description = "Replace a token already in the pool's tokenParameter.")
    boolean overwrite;

    @Option(names = "--locked", description = "Lock a project runner to its project.")
    boolean locked;

    @Option(names = "--kms-key-id", description = "KMS key for the SecureString (default: aws/ssm).")
    String kmsKeyId;

    @Mixin
    AwsOptions aws;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PoolConfig target;
        try {
            target = gitlabPool(new ConfigLoader().parse(ConfigFiles.read(config)));
        } catch (ConfigFiles.UnreadableFile e) {
            err.println(e.getMessage());
            return USAGE;
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println(config + ": " + p));
            return USAGE;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        String tokenParameter = target.tokenParameter().orElseThrow();

        var ssm = new SsmParameters(aws.clients().ssm());
        Secret accessToken;
        try {
            if (!overwrite && ssm.exists(tokenParameter)) {
                err.printf("pool '%s': parameter %s already holds a token; pass --overwrite to replace it "
                        + "(the runner it belongs to stays in GitLab until you delete it)%n", pool, tokenParameter);
                return FAILED;
            }
            Optional<String> token = ssm.get(accessTokenParameter);
            if (token.isEmpty() || token.get().isBlank()) {
                err.printf("parameter %s does not exist or is empty; store a GitLab access token with the "
                        + "create_runner scope in it%n", accessTokenParameter);
                return FAILED;
            }
            accessToken = new Secret(token.get().strip());
        } catch (SdkException e) {
            err.printf("SSM: %s%n", e.getClass().getSimpleName());
            return FAILED;
        }

        var api = new GitLabRunnersApi(ForgeHttp.newClient(), gitlabUrl, Clock.systemUTC());
        GitLabRunnersApi.CreatedRunner created;
        try {
            created = api.createRunner(accessToken, new GitLabRunnersApi.NewRunner(scope.toScope(),
                    "runner-scaler " + target.name(), target.labels(), target.runUntagged(), locked, Optional.empty()));
        } catch (ForgeException e) {
            err.printf("pool '%s': GitLab did not create the runner: %s%n", pool, e.getMessage());
            return FAILED;
        }

        try {
            ssm.putSecure(tokenParameter, created.token().value(), overwrite,
                    Optional.ofNullable(kmsKeyId).filter(s -> !s.isBlank()));
        } catch (SdkException e) {
            String undo;
            try {
                undo = api.deleteRunner(created.token()) ? "deleted it again" : "it was already gone";
            } catch (ForgeException deleteFailed) {
                undo = "could NOT delete it (" + deleteFailed.getMessage() + "); delete runner " + created.id()
                        + " in GitLab";
            }
            err.printf("pool '%s': storing the token in %s failed (%s); GitLab runner %d was created, %s%n", pool,
                    tokenParameter, e.getClass().getSimpleName(), created.id(), undo);
            return FAILED;
        }
        out.printf("pool '%s': created GitLab runner %d (tags %s, run untagged %s); its token is in %s%n", pool,
                created.id(), target.labels().stream().sorted().collect(Collectors.joining(",")),
                target.runUntagged(), tokenParameter);
        created.tokenExpiresAt().ifPresent(at -> out.printf("the token expires at %s: run this again with "
                + "--overwrite before then%n", at));
        return OK;
    }

    private PoolConfig gitlabPool(ScalerConfig cfg) {
        PoolConfig found = cfg.pools().stream().filter(p -> p.name().equals(pool)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pool '" + pool + "' in " + config + "; pools: "
                        + cfg.pools().stream().map(PoolConfig::name).collect(Collectors.joining(", "))));
        if (found.forge() != Forge.GITLAB) {
            throw new IllegalArgumentException("pool '" + pool + "' is a " + found.forge().id()
                    + " pool; GitLab runners are created for GitLab pools only");
        }
        if (found.tokenParameter().isEmpty()) {
            throw new IllegalArgumentException("pool '" + pool + "' has no tokenParameter: name the SSM parameter "
                    + "its machines read the token from");
        }
        return found;
    }
}
