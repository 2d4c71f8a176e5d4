package io.runnerscaler.cli.gitlab;

import picocli.CommandLine.Command;

/** {@code runner-scaler gitlab}: provisioning on the GitLab side. */
@Command(name = "gitlab", mixinStandardHelpOptions = true, description = "GitLab provisioning.",
        subcommands = CreateRunnerCommand.class)
public final class GitLabCommand {
}
