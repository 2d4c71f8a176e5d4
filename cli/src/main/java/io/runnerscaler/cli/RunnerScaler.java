package io.runnerscaler.cli;

import io.runnerscaler.cli.config.ConfigCommand;
import io.runnerscaler.cli.demo.DemoCommand;
import io.runnerscaler.cli.ops.LocalCommand;
import io.runnerscaler.cli.ops.OpsCommands;
import io.runnerscaler.cli.simulate.SimulateCommand;
import io.runnerscaler.cli.trace.TraceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code runner-scaler} command. */
@Command(name = "runner-scaler", mixinStandardHelpOptions = true, version = "runner-scaler 0.1.0",
        description = "Serverless autoscaler for self-hosted GitLab and GitHub runners on AWS.",
        subcommands = {DemoCommand.class, LocalCommand.class, SimulateCommand.class, TraceCommand.class, ConfigCommand.class, OpsCommands.Machines.class, OpsCommands.Jobs.class,
                OpsCommands.Dlq.class, io.runnerscaler.cli.gitlab.GitLabCommand.class, io.runnerscaler.cli.ops.ForgeStubCommand.class, CommandLine.HelpCommand.class})
public final class RunnerScaler implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new RunnerScaler()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
