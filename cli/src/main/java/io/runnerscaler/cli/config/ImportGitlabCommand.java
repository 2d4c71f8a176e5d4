package io.runnerscaler.cli.config;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runner-scaler config import-gitlab config.toml}: pools YAML from GitLab Runner's autoscaling runners. */
@Command(name = "import-gitlab",
        description = {
            "Create pools YAML from a GitLab Runner config.toml.",
            "Each [[runners]] with executor \"docker+machine\" and MachineDriver \"amazonec2\" becomes a pool with "
                    + "the same limit, IdleCount, IdleCountMin, IdleScaleFactor, IdleTime, MaxGrowthRate, "
                    + "MaxBuilds and autoscaling periods; each with executor \"docker-autoscaler\" or \"instance\" and "
                    + "plugin \"aws\" a pool with max_instances, max_use_count and every [[runners.autoscaler.policy]] "
                    + "(job slots become one-job machines). Every setting without an equivalent is named in a "
                    + "warning on standard error. The runner token is never copied: store it in SSM under the "
                    + "tokenParameter name the pool gets."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:pools written (read the warnings)",
            "1:config.toml is invalid, has nothing to import, or the result does not validate",
            "2:usage error, unreadable input or unwritable output"},
        footerHeading = "%nExample:%n",
        footer = {"  runner-scaler config import-gitlab config.toml -o pools.yaml",
            "  runner-scaler config validate pools.yaml",
            "%nThe mapping of every option is in docs/migrate-from-docker-machine.md."})
public final class ImportGitlabCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "GitLab Runner config.toml to import.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Write the pools YAML to OUT instead of standard output.")
    Path output;

    @Option(names = "--force", description = "Overwrite OUT if it exists.")
    boolean force;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output != null && Files.exists(output) && !force) {
            err.println(output + ": exists; pass --force to overwrite it");
            return ConfigCommand.USAGE;
        }
        ImportResult result;
        try {
            result = new GitLabRunnerImporter().importConfig(ConfigFiles.read(file), file.toString());
        } catch (ConfigFiles.UnreadableFile e) {
            err.println(e.getMessage());
            return ConfigCommand.USAGE;
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return ConfigCommand.INVALID_CONFIG;
        }

        result.warnings().forEach(w -> err.println("warning: " + w));
        if (output == null) {
            out.print(result.yaml());
            out.flush();
        } else {
            try {
                ConfigFiles.write(output, result.yaml());
            } catch (ConfigFiles.UnreadableFile e) {
                err.println(e.getMessage());
                return ConfigCommand.USAGE;
            }
        }
        String destination = output == null ? "standard output" : output.toString();
        err.printf("imported %d pool(s) (%s) to %s with %d warning(s)%n", result.pools().size(),
                String.join(", ", result.pools()), destination, result.warnings().size());

        // The file is written either way, so the operator can fix what the scaler would reject.
        try {
            ConfigLoader.refusedWithoutGitHubApp(new ConfigLoader().parse(result.yaml()))
                    .forEach(w -> err.println("warning: " + w));
        } catch (ConfigException e) {
            err.println("the imported pools need editing before `config validate` accepts them:");
            e.problems().forEach(problem -> err.println("  " + problem));
            return ConfigCommand.INVALID_CONFIG;
        }
        return ConfigCommand.OK;
    }
}
