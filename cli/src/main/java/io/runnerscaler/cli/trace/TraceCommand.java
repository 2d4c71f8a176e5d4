package io.runnerscaler.cli.trace;

import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.cli.config.ConfigFiles;
import io.runnerscaler.cli.ops.StackOptions;
import io.runnerscaler.cli.simulate.ProgressBar;
import io.runnerscaler.cli.simulate.Trace;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runner-scaler trace}: a job trace for {@code simulate} (format in docs/simulate.md) from real history, the
 * forges' job APIs or the deployed stack's own job ledger.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Write a job trace for `simulate` from real job history: GitLab's or GitHub's job APIs, "
                + "saved pages of them, or the deployed stack's job ledger.",
            "Arrival is when each job became pending, duration how long it ran; jobs that never started or have not "
                + "finished are counted on standard error, not written. Format: docs/simulate.md."},
        subcommands = {TraceCommand.GitLab.class, TraceCommand.GitHub.class, TraceCommand.Ledger.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:trace written", "1:the forge or the ledger refused or failed, a saved page is not "
                + "readable, or no finished job is in the window", "2:usage error"})
public final class TraceCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final String DEFAULT_WINDOW = "7d";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("Missing subcommand: gitlab, github or ledger.");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** What every trace subcommand takes: the window, where the trace goes, and the progress bar. */
    static final class Output {
        @Option(names = "--since", paramLabel = "WHEN",
                description = "Only jobs queued since: 7d, 36h, 90m before now, a date (2026-03-01) or an ISO "
                        + "instant. Default: 7d when reading an API or the ledger; none for --from-file.")
        Optional<String> since;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Write the trace to FILE (replaced whole, only once complete) instead of standard output.")
        Optional<Path> out;

        @Option(names = "--progress", negatable = true,
                description = "Show a progress bar on stderr (default: when stderr is a terminal).")
        Optional<Boolean> progress;
    }

    /** A subcommand's run: reads the history into rows, then writes them, or says what went wrong. */
    abstract static class Source implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Output output = new Output();

        /** How long to wait between pages when a forge says so; tests replace it. */
        ForgeHttp.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        Clock clock = Clock.systemUTC();

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** The window's start: {@code --since}, else {@code fallback} (empty: no window). */
        Optional<Instant> since(Optional<String> fallback) {
            Optional<String> text = output.since.or(() -> fallback);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Since.parse(text.get(), clock.instant()).orElseThrow(() ->
                    new CommandLine.ParameterException(spec.commandLine(), "--since '" + text.get() + "' is neither "
                            + "a time before now (7d, 36h, 90m) nor a date (2026-03-01) nor an ISO instant")));
        }

        Optional<ProgressBar> bar(String label) {
            return output.progress.orElseGet(ProgressBar::stderrIsTerminal)
                    ? Optional.of(new ProgressBar(err(), label)) : Optional.empty();
        }

        /** The secret in {@code file}, stripped; never printed. */
        Optional<String> token(Optional<Path> file) throws ConfigFiles.UnreadableFile {
            if (file.isEmpty()) {
                return Optional.empty();
            }
            String token = ConfigFiles.read(file.get()).strip();
            if (token.isEmpty()) {
                throw new ConfigFiles.UnreadableFile(file.get() + ": empty; put the API token in it");
            }
            return Optional.of(token);
        }

        /** Fills the rows; the window is already in them. */
        abstract void read(TraceRows rows, Optional<Instant> since) throws ConfigFiles.UnreadableFile;

        /** The window when none is given. */
        abstract Optional<String> defaultWindow();

        /** What to do when the forge refuses the token. */
        String tokenHint() {
            return "check the token";
        }

        @Override
        public Integer call() {
            Optional<Instant> since = since(defaultWindow());
            TraceRows rows = new TraceRows(since);
            try {
                read(rows, since);
            } catch (ConfigFiles.UnreadableFile e) {
                err().println(e.getMessage());
                return USAGE;
            } catch (ForgeException.Unauthorized | ForgeException.Forbidden e) {
                // ForgeHttp's own hint names SSM, where the stack keeps its tokens; here the token is a file.
                err().println("runner-scaler trace: " + e.getMessage().replaceFirst(" \\(check the token in SSM\\)|"
                        + " \\(the token lacks a permission\\)", "") + "; " + tokenHint() + "; nothing written");
                return FAILED;
            } catch (HistoryException | ForgeException e) {
                err().println("runner-scaler trace: " + e.getMessage() + "; nothing written");
                return FAILED;
            }
            err().println(rows.summary());
            if (rows.size() == 0) {
                err().println("no finished job" + since.map(s -> " queued since " + s).orElse("")
                        + "; nothing written");
                return FAILED;
            }
            try {
                write(rows.sorted());
            } catch (IOException e) {
                err().println(output.out.map(Path::toString).orElse("standard output") + ": cannot write ("
                        + e.getClass().getSimpleName() + "); nothing written");
                return FAILED;
            }
            output.out.ifPresent(file -> err().println("trace: " + file));
            return OK;
        }

        /** The whole trace at once: to a temporary file moved over {@code --out}, so no half-written trace is left. */
        private void write(List<Trace.Row> rows) throws IOException {
            if (output.out.isEmpty()) {
                PrintWriter out = spec.commandLine().getOut();
                Trace.write(rows, out);
                out.flush();
                return;
            }
            Path file = output.out.get().toAbsolutePath();
            Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                try (Writer writer = Files.newBufferedWriter(temporary)) {
                    Trace.write(rows, writer);
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        }

        ForgePages pages(URI base, Forge forge) {
            return new ForgePages(ForgeHttp.newClient(), base, clock, forge, sleeper, err());
        }
    }

    /** A forge's history: saved pages of its jobs API when given ({@code --from-file}, no window by default), else the API. */
    abstract static class ForgeSource extends Source {

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "A file holding the API token (never printed): GitLab read_api, GitHub actions: read;"
                        + " public projects and repositories need none.")
        Optional<Path> tokenFile;

        /** What the token needs, for the message when the forge refuses it. */
        abstract String tokenNeeds();

        @Override
        String tokenHint() {
            return tokenFile.map(f -> "the token in " + f).orElse("no --token-file was given, and a token") + " needs "
                    + tokenNeeds();
        }

        /** The {@code --from-file} pages; empty when the API is to be read. */
        abstract List<Path> savedPages();

        /** One job of the forge's answer into the rows. */
        abstract void convert(JsonNode job, TraceRows rows);

        /** Reads the API from {@code since} (there is always a window for an API). */
        abstract void readApi(TraceRows rows, Instant since) throws ConfigFiles.UnreadableFile;

        @Override
        Optional<String> defaultWindow() {
            return savedPages().isEmpty() ? Optional.of(DEFAULT_WINDOW) : Optional.empty();
        }

        @Override
        void read(TraceRows rows, Optional<Instant> since) throws ConfigFiles.UnreadableFile {
            if (!savedPages().isEmpty()) {
                SavedPages.read(savedPages(), job -> convert(job, rows));
                return;
            }
            readApi(rows, since.orElseThrow());
        }
    }

    @Command(name = "gitlab", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A trace from GitLab's Jobs API: a project's jobs (or every project's of a group), newest "
                    + "first, until --since.",
                "Arrival = started_at - queued_duration (created_at where GitLab gives no queued_duration), duration = "
                    + "finished_at - started_at, labels = tag_list, id = the job id. The token needs read_api."},
            footer = {"", "Examples:", "  runner-scaler trace gitlab --project acme/app --since 7d --token-file ~/.gitlab-token --out week.csv",
                "  runner-scaler trace gitlab --from-file jobs-page-1.json jobs-page-2.json --out week.csv"})
    static final class GitLab extends ForgeSource {

        static final class Target {
            @Option(names = "--project", paramLabel = "ID|PATH", required = true,
                    description = "A project id or path (group/project); repeatable.")
            List<String> projects = new ArrayList<>();

            @Option(names = "--group", paramLabel = "ID|PATH", required = true,
                    description = "Every project of this group and its subgroups.")
            Optional<String> group;

            @Option(names = "--from-file", paramLabel = "FILE", arity = "1..*", required = true,
                    description = "Saved answers of GET /projects/:id/jobs (JSON arrays of jobs), instead of the API.")
            List<Path> files = new ArrayList<>();
        }

        @ArgGroup(multiplicity = "1")
        Target target;

        @Option(names = "--gitlab-url", paramLabel = "URL", defaultValue = "${env:RUNNER_SCALER_GITLAB_URL:-https://gitlab.com}",
                description = "The GitLab instance (default ${DEFAULT-VALUE}).")
        URI gitlabUrl;

        @Override
        List<Path> savedPages() {
            return target.files;
        }

        @Override
        void convert(JsonNode job, TraceRows rows) {
            GitLabHistory.convert(job, rows);
        }

        @Override
        String tokenNeeds() {
            return "read_api on the project (a personal, group or project access token)";
        }

        @Override
        void readApi(TraceRows rows, Instant since) throws ConfigFiles.UnreadableFile {
            var history = new GitLabHistory(pages(gitlabUrl, Forge.GITLAB), token(tokenFile));
            Instant now = clock.instant();
            List<String> projects = target.group.map(history::groupProjects).orElse(target.projects);
            Optional<ProgressBar> bar = bar("gitlab jobs");
            for (int i = 0; i < projects.size(); i++) {
                String note = target.group.isPresent() ? "project " + (i + 1) + " of " + projects.size()
                        : projects.get(i);
                history.project(projects.get(i), since, now, rows, bar, note);
            }
            bar.ifPresent(ProgressBar::finish);
        }
    }

    @Command(name = "github", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A trace from GitHub's Actions API: a repository's workflow runs created since --since, "
                    + "and each run's jobs (every attempt).",
                "Arrival = created_at, duration = completed_at - the start (started_at, or the first step's start "
                    + "where started_at still equals created_at), labels = labels, id = the job id. The token (a "
                    + "personal access token or an installation token) needs actions: read."},
            footer = {"", "Example:", "  runner-scaler trace github --repo acme/app --since 7d --token-file ~/.github-token --out week.csv"})
    static final class GitHub extends ForgeSource {

        static final class Target {
            @Option(names = "--repo", paramLabel = "OWNER/REPO", required = true, description = "A repository; repeatable.")
            List<String> repositories = new ArrayList<>();

            @Option(names = "--from-file", paramLabel = "FILE", arity = "1..*", required = true,
                    description = "Saved answers of GET /repos/OWNER/REPO/actions/runs/RUN_ID/jobs, instead of the API.")
            List<Path> files = new ArrayList<>();
        }

        @ArgGroup(multiplicity = "1")
        Target target;

        @Option(names = "--github-api-url", paramLabel = "URL", defaultValue = "https://api.github.com",
                description = "The API (default ${DEFAULT-VALUE}; Enterprise Server: https://HOST/api/v3).")
        URI apiUrl;

        @Override
        List<Path> savedPages() {
            return target.files;
        }

        @Override
        void convert(JsonNode job, TraceRows rows) {
            GitHubHistory.convert(job, rows);
        }

        @Override
        String tokenNeeds() {
            return "actions: read on the repository";
        }

        @Override
        void readApi(TraceRows rows, Instant since) throws ConfigFiles.UnreadableFile {
            for (String repository : target.repositories) { // every name checked before any call
                try {
                    GitHubHistory.repositoryPath(repository);
                } catch (HistoryException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            var history = new GitHubHistory(pages(apiUrl, Forge.GITHUB), token(tokenFile));
            Instant now = clock.instant();
            Optional<ProgressBar> bar = bar("github jobs");
            for (String repository : target.repositories) {
                history.repository(repository, since, now, rows, bar);
            }
            bar.ifPresent(ProgressBar::finish);
        }
    }

    @Command(name = "ledger", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A trace from the deployed stack's own job ledger (the jobs table), which keeps each "
                    + "job's queued, started and finished instants for 90 days.",
                "Arrival = when the job became pending (GitHub's created_at; for GitLab, when the scaler recorded its "
                    + "pending event), duration = finished - started, id = forge:job id. Jobs recorded before the "
                    + "ledger kept these instants are counted, not written."})
    static final class Ledger extends Source {
        @Mixin
        StackOptions stack;

        @Override
        Optional<String> defaultWindow() {
            return Optional.of(DEFAULT_WINDOW);
        }

        @Override
        void read(TraceRows rows, Optional<Instant> since) {
            var ledger = new DynamoJobLedger(stack.clients().dynamo(), stack.required(stack.jobsTable(), "--jobs-table"));
            for (JobLedger.Job job : ledger.all()) {
                convert(job, rows);
            }
        }

        static void convert(JobLedger.Job job, TraceRows rows) {
            if (job.startedAt().isEmpty()) {
                rows.leave(job.status().isFinished() && job.finishedAt().isEmpty() ? TraceRows.Left.NO_INSTANTS
                        : job.status().isFinished() ? TraceRows.Left.NEVER_STARTED : TraceRows.Left.NOT_FINISHED);
                return;
            }
            if (job.finishedAt().isEmpty()) {
                rows.leave(job.status().isFinished() ? TraceRows.Left.NO_INSTANTS : TraceRows.Left.NOT_FINISHED);
                return;
            }
            Duration ran = Duration.between(job.startedAt().get(), job.finishedAt().get());
            rows.keep(Trace.Row.at(job.jobKey(), Forge.fromId(job.forge()), job.labels(),
                    job.queuedAt().orElse(job.createdAt()), ran.isNegative() ? Duration.ZERO : ran),
                    job.queuedAt().isEmpty());
        }
    }
}
