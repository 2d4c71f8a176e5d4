package io.runnerscaler.cli.config;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runner-scaler config}: check a pools file, or import one from GitLab Runner's config.toml. */
@Command(name = "config",
        description = "Check a pools YAML file, or create one from a GitLab Runner config.toml.",
        subcommands = {ValidateCommand.class, ImportGitlabCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the configuration is invalid",
            "2:usage error: unknown option, missing or unreadable file"})
public final class ConfigCommand implements Callable<Integer> {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The configuration file is malformed or fails validation. */
    public static final int INVALID_CONFIG = 1;
    /** The command line is wrong, or a file named on it cannot be read or written. */
    public static final int USAGE = 2;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("Missing subcommand: validate or import-gitlab.");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }
}
