package io.runnerscaler.core.usecase;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.config.WatchConfig.Target;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.core.usecase.MissedJobs.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MissedJobsTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:10:00Z");
    private static final Duration PENDING_AFTER = Duration.ofMinutes(2);
    private static final ScalerConfig CONFIG = new ConfigLoader().parse("""
            pools:
              - name: docker
                labels: [docker, linux]
                instanceTypes: [m7i.large]
                launchTemplate: lt
                limit: 3
              - name: gh
                forge: github
                labels: [large]
                instanceTypes: [m7i.large]
                launchTemplate: lt
                limit: 3
            watch:
              gitlab:
                projects: [380, group/app]
              github:
                repositories: [acme/app]
              every: 5m
              pendingAfter: 2m
              callsPerPass: 10
            """);

    private final Map<String, JobLedger.Job> ledger = new HashMap<>();
    private final List<JobEvent> redriven = new ArrayList<>();
    private final List<String> logs = new ArrayList<>();
    private final List<String> metrics = new ArrayList<>();
    private final StubForge gitlab = new StubForge(Forge.GITLAB);
    private final StubForge github = new StubForge(Forge.GITHUB);
    private final MissedJobs missed = new MissedJobs(List.of(gitlab, github), ledger(), redriven::add, log(),
            metrics());

    // ---------------------------------------------------------------- the decision, as a table

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("unknown job is re-driven", Duration.ofMinutes(5), null, Verdict.UNKNOWN),
                Arguments.of("job known only as created is re-driven", Duration.ofMinutes(5), JobStatus.CREATED,
                        Verdict.EARLIER_STATUS),
                Arguments.of("queued job was delivered", Duration.ofMinutes(5), JobStatus.QUEUED, Verdict.KNOWN),
                Arguments.of("running job is untouched", Duration.ofMinutes(5), JobStatus.RUNNING, Verdict.KNOWN),
                Arguments.of("finished job is untouched", Duration.ofMinutes(5), JobStatus.SUCCEEDED, Verdict.KNOWN),
                Arguments.of("young job is left to its webhook", Duration.ofSeconds(119), null, Verdict.TOO_YOUNG),
                Arguments.of("job exactly pendingAfter old is re-driven", Duration.ofMinutes(2), null, Verdict.UNKNOWN),
                Arguments.of("young known job is left too", Duration.ofSeconds(10), JobStatus.CREATED,
                        Verdict.TOO_YOUNG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void judgesAPendingJobByAgeAndWhatTheLedgerKnows(String behaviour, Duration age, JobStatus known,
                                                     Verdict expected) {
        JobEvent pending = pending(Forge.GITLAB, "1977", "380", age, Set.of("docker"));
        Optional<JobLedger.Job> job = Optional.ofNullable(known).map(s -> job(pending, s));
        assertThat(MissedJobs.judge(pending, job, PENDING_AFTER, NOW)).as(behaviour).isEqualTo(expected);
        assertThat(expected.redrive()).isEqualTo(expected == Verdict.UNKNOWN || expected == Verdict.EARLIER_STATUS);
    }

    @Test
    void dueProjectsAreTheLeastRecentlyListedFirstAndSkipPausedForges() {
        Target a = new Target(Forge.GITLAB, "a");
        Target b = new Target(Forge.GITLAB, "b");
        Target c = new Target(Forge.GITHUB, "o/c");
        Target d = new Target(Forge.GITLAB, "d");
        Map<Target, Instant> listed = Map.of(a, NOW.minusSeconds(600), b, NOW.minusSeconds(900),
                d, NOW.minusSeconds(60));
        assertThat(MissedJobs.due(List.of(a, b, c, d), listed, Map.of(), Duration.ofMinutes(5), NOW))
                .as("never listed first, then oldest; d was listed a minute ago").containsExactly(c, b, a);
        assertThat(MissedJobs.due(List.of(a, b, c, d), listed, Map.of(Forge.GITLAB, NOW.plusSeconds(1)),
                Duration.ofMinutes(5), NOW)).containsExactly(c);
        assertThat(MissedJobs.due(List.of(a), Map.of(a, NOW.minusSeconds(300)), Map.of(), Duration.ofMinutes(5), NOW))
                .as("exactly every later is due").containsExactly(a);
    }

    // ---------------------------------------------------------------- a pass

    @Test
    void unknownPendingJobIsHandedToScaleUpAsQueuedWithItsLabelsCountedAndLogged() {
        gitlab.answer("380", pending(Forge.GITLAB, "1977", "380", Duration.ofMinutes(5), Set.of("docker", "linux")));
        MissedJobs.Outcome outcome = missed.find(CONFIG, NOW);
        assertThat(outcome.jobs()).containsEntry("gitlab:1977", Verdict.UNKNOWN);
        assertThat(redriven).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(e.labels()).containsExactlyInAnyOrder("docker", "linux");
        });
        assertThat(metrics).contains("MissedJobsFound{Forge=gitlab, Pool=docker}");
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("job.missed").contains("job=gitlab:1977")
                .contains("pool=docker").contains("reason=UNKNOWN"));
    }

    @Test
    void knownRunningJobAndYoungJobAreLeftAlone() {
        JobEvent running = pending(Forge.GITLAB, "1", "380", Duration.ofMinutes(5), Set.of("docker"));
        ledger.put(running.jobKey(), job(running, JobStatus.RUNNING));
        gitlab.answer("380", running, pending(Forge.GITLAB, "2", "380", Duration.ofSeconds(30), Set.of("docker")));
        MissedJobs.Outcome outcome = missed.find(CONFIG, NOW);
        assertThat(outcome.jobs()).containsEntry("gitlab:1", Verdict.KNOWN).containsEntry("gitlab:2", Verdict.TOO_YOUNG);
        assertThat(redriven).isEmpty();
        assertThat(metrics).noneMatch(m -> m.startsWith("MissedJobsFound"));
    }

    @Test
    void forgeErrorIsLoggedAndCountedAndThePassContinuesWithTheOtherForge() {
        gitlab.fail("380", new ForgeException.Unavailable("GitLab list pending jobs: 502", 502, null));
        github.answer("acme/app", pending(Forge.GITHUB, "77", "acme/app", Duration.ofMinutes(3), Set.of("large")));
        MissedJobs.Outcome outcome = missed.find(CONFIG, NOW);
        assertThat(outcome.failures()).containsEntry("gitlab:380", "UNAVAILABLE");
        assertThat(gitlab.asked).as("a failing forge is skipped for the rest of the pass").containsExactly("380");
        assertThat(redriven).extracting(JobEvent::jobKey).containsExactly("github:77");
        assertThat(metrics).contains("MissedJobsListFailures{Forge=gitlab, Reason=UNAVAILABLE}");
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("missed_jobs.list_failed").contains("retryable=true"));
        missed.find(CONFIG, NOW.plusSeconds(60));
        assertThat(gitlab.asked).as("next pass: the project not yet listed; 380 again after every")
                .containsExactly("380", "group/app");
    }

    @Test
    void unexpectedExceptionFromAForgeDoesNotEscape() {
        gitlab.fail("380", new IllegalStateException("bug"));
        assertThat(missed.find(CONFIG, NOW).failures()).containsEntry("gitlab:380", "UNEXPECTED");
    }

    @Test
    void failedRedriveIsLoggedAndTheOtherJobsStillGo() {
        var failing = new MissedJobs(List.of(gitlab), ledger(), e -> {
            if (e.jobId().equals("1")) {
                throw new IllegalStateException("table unavailable");
            }
            redriven.add(e);
        }, log(), metrics());
        gitlab.answer("380", pending(Forge.GITLAB, "1", "380", Duration.ofMinutes(5), Set.of("docker")),
                pending(Forge.GITLAB, "2", "380", Duration.ofMinutes(5), Set.of("docker")));
        failing.find(CONFIG, NOW);
        assertThat(redriven).extracting(JobEvent::jobId).containsExactly("2");
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("job.missed_redrive_failed").contains("job=gitlab:1"));
    }

    @Test
    void rateLimitedForgeIsLeftAloneForAsLongAsItAsked() {
        gitlab.fail("380", new ForgeException.RateLimited("GitLab: 429", 429, Duration.ofMinutes(3)));
        assertThat(missed.find(CONFIG, NOW).failures()).containsEntry("gitlab:380", "RATE_LIMITED");
        assertThat(missed.find(CONFIG, NOW.plusSeconds(120)).calls()).as("only GitHub, listed once already: nothing due")
                .isZero();
        missed.find(CONFIG, NOW.plusSeconds(180));
        assertThat(gitlab.asked).containsExactly("380", "group/app");
    }

    @Test
    void limitExhaustedOnASuccessfulAnswerPausesTheForge() {
        github.listing = (project, max) -> new PendingJobs.Listing(List.of(), 1, false, Optional.of(Duration.ofMinutes(30)));
        missed.find(CONFIG, NOW);
        missed.find(CONFIG, NOW.plus(Duration.ofMinutes(10)));
        assertThat(github.asked).containsExactly("acme/app");
    }

    @Test
    void failedProjectIsNotAskedAgainBeforeEvery() {
        gitlab.fail("380", new ForgeException.Unauthorized("GitLab: 401 (check the token in SSM)"));
        missed.find(CONFIG, NOW);
        missed.find(CONFIG, NOW.plusSeconds(60));
        assertThat(gitlab.asked).containsExactly("380", "group/app");
        assertThat(metrics).contains("MissedJobsListFailures{Forge=gitlab, Reason=UNAUTHORIZED}");
    }

    @Test
    void projectsAreListedOncePerEveryWithinTheCallBudget() {
        ScalerConfig tight = new ScalerConfig(CONFIG.concurrent(), CONFIG.pools(),
                new io.runnerscaler.core.config.WatchConfig(List.of("380", "group/app"), List.of("acme/app"),
                        Duration.ofMinutes(5), PENDING_AFTER, 3));
        gitlab.listing = (project, max) -> new PendingJobs.Listing(List.of(), Math.min(2, max), max >= 2,
                Optional.empty());
        github.listing = gitlab.listing;
        assertThat(missed.find(tight, NOW).calls()).isEqualTo(3);
        assertThat(gitlab.asked).containsExactly("380", "group/app");
        assertThat(gitlab.budgets).as("the second listing gets what is left").containsExactly(3, 1);
        assertThat(github.asked).as("budget spent").isEmpty();
        missed.find(tight, NOW.plusSeconds(60));
        assertThat(github.asked).as("next pass: the one not listed yet").containsExactly("acme/app");
        assertThat(gitlab.asked).hasSize(2);
        missed.find(tight, NOW.plus(Duration.ofMinutes(5)));
        assertThat(gitlab.asked).as("every later: listed again").hasSize(4);
    }

    @Test
    void forgeWithoutCredentialsIsReportedNotAsked() {
        var gitlabOnly = new MissedJobs(List.of(gitlab), ledger(), redriven::add, log(), metrics());
        assertThat(gitlabOnly.find(CONFIG, NOW).failures()).containsEntry("github:acme/app", "NOT_CONFIGURED");
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("missed_jobs.not_configured"));
        assertThat(MissedJobs.none().find(CONFIG, NOW).calls()).isZero();
    }

    // ---------------------------------------------------------------- groups

    private static ScalerConfig groups(int callsPerPass, String... groups) {
        return new ScalerConfig(CONFIG.concurrent(), CONFIG.pools(), new io.runnerscaler.core.config.WatchConfig(
                List.of("380"), List.of(groups), List.of(), Duration.ofMinutes(5), PENDING_AFTER, callsPerPass));
    }

    @Test
    void aGroupsProjectsAreListedThenWatchedFromTheNextPass() {
        gitlab.group("acme", List.of("acme/app", "acme/tools/cli"));
        JobEvent lost = pending(Forge.GITLAB, "7", "acme/tools/cli", Duration.ofMinutes(5), Set.of("docker"));
        gitlab.answer("acme/tools/cli", lost);

        MissedJobs.Outcome first = missed.find(groups(10, "acme"), NOW);
        assertThat(gitlab.groupsAsked).containsExactly("acme@1");
        assertThat(gitlab.asked).as("the group's projects are not known yet").containsExactly("380");
        assertThat(first.calls()).isEqualTo(2);
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("missed_jobs.group_listed")
                .contains("group=acme").contains("projects=2").contains("complete=true"));

        missed.find(groups(10, "acme"), NOW.plusSeconds(60));
        assertThat(gitlab.asked).containsExactly("380", "acme/app", "acme/tools/cli");
        assertThat(redriven).containsExactly(lost);
        assertThat(gitlab.groupsAsked).as("the group is listed once per every too").containsExactly("acme@1");

        missed.find(groups(10, "acme"), NOW.plus(Duration.ofMinutes(5)));
        assertThat(gitlab.groupsAsked).containsExactly("acme@1", "acme@1");
    }

    @Test
    void aGroupListingTheBudgetCutShortGoesOnFromItsNextPageInTheNextPass() {
        // three pages of one project each; the budget leaves the group two calls in the first pass
        gitlab.groupPages("acme", List.of(List.of("acme/a"), List.of("acme/b"), List.of("acme/c")));
        missed.find(groups(3, "acme"), NOW);
        assertThat(gitlab.groupsAsked).containsExactly("acme@1");
        assertThat(gitlab.groupBudgets).as("what the project listing left").containsExactly(2);
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("missed_jobs.group_listed")
                .contains("complete=false").contains("nextPage=3"));

        missed.find(groups(3, "acme"), NOW.plusSeconds(60));
        assertThat(gitlab.groupsAsked).as("resumed at page 3, still due").containsExactly("acme@1", "acme@3");
        assertThat(gitlab.asked).as("380 is not due again; the group's projects come next pass").containsExactly("380");

        missed.find(groups(3, "acme"), NOW.plusSeconds(120));
        assertThat(gitlab.asked).containsExactly("380", "acme/a", "acme/b", "acme/c");
    }

    @Test
    void aProjectBothListedAndInAGroupIsListedOnce() {
        gitlab.group("acme", List.of("380", "acme/app"));
        missed.find(groups(10, "acme"), NOW);
        missed.find(groups(10, "acme"), NOW.plus(Duration.ofMinutes(5)));
        assertThat(gitlab.asked).as("acme/app, never listed, first").containsExactly("380", "acme/app", "380");
    }

    @Test
    void aFailedGroupListingIsCountedAndTheGroupWaitsForEvery() {
        gitlab.failGroup("acme", new ForgeException.NotFound("GitLab list projects of group 'acme' answered 404"));
        MissedJobs.Outcome outcome = missed.find(groups(10, "acme"), NOW);
        assertThat(outcome.failures()).containsEntry("gitlab-group:acme", "NOT_FOUND");
        assertThat(logs).anySatisfy(l -> assertThat(l).startsWith("missed_jobs.list_failed").contains("group=acme"));
        assertThat(metrics).contains("MissedJobsListFailures{Forge=gitlab, Reason=NOT_FOUND}");
        missed.find(groups(10, "acme"), NOW.plusSeconds(60));
        assertThat(gitlab.groupsAsked).containsExactly("acme@1");
    }

    @Test
    void aGroupListingThatUsedUpTheLimitPausesTheForge() {
        gitlab.groupListing = (page, max) -> new PendingJobs.Projects(List.of("acme/a"), 1, Optional.of("2"),
                Optional.of(Duration.ofMinutes(1)));
        missed.find(groups(10, "acme"), NOW);
        assertThat(gitlab.asked).as("the group came after 380; nothing after it").containsExactly("380");
        missed.find(groups(10, "acme"), NOW.plusSeconds(30));
        assertThat(gitlab.groupsAsked).as("paused").containsExactly("acme@1");
        missed.find(groups(10, "acme"), NOW.plusSeconds(60));
        assertThat(gitlab.groupsAsked).containsExactly("acme@1", "acme@2");
    }

    // ---------------------------------------------------------------- fakes

    private static JobEvent pending(Forge forge, String id, String project, Duration age, Set<String> labels) {
        return new JobEvent(forge, id, project, JobStatus.QUEUED, labels, Optional.empty(), "polled",
                NOW.minus(age), Optional.empty(), Optional.empty());
    }

    private static JobLedger.Job job(JobEvent e, JobStatus status) {
        return new JobLedger.Job(e.jobKey(), e.forge().id(), e.project(), e.jobId(), e.labels(), status,
                Optional.of("docker"), e.createdAt(), e.createdAt(), false);
    }

    /** A forge answering from a table per project, recording what it was asked. */
    private static final class StubForge implements PendingJobs {
        private final Forge forge;
        private final Map<String, Object> answers = new HashMap<>();
        final List<String> asked = new ArrayList<>();
        final List<Integer> budgets = new ArrayList<>();
        java.util.function.BiFunction<String, Integer, Listing> listing;
        private final Map<String, Object> groups = new HashMap<>();
        final List<String> groupsAsked = new ArrayList<>();
        final List<Integer> groupBudgets = new ArrayList<>();
        java.util.function.BiFunction<String, Integer, Projects> groupListing;

        StubForge(Forge forge) {
            this.forge = forge;
        }

        void group(String group, List<String> projects) {
            groupPages(group, List.of(projects));
        }

        /** The group's projects a page a call, pages numbered from 1. */
        void groupPages(String group, List<List<String>> pages) {
            groups.put(group, pages);
        }

        void failGroup(String group, RuntimeException e) {
            groups.put(group, e);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Projects projects(String group, String page, int maxCalls) {
            groupsAsked.add(group + "@" + page);
            groupBudgets.add(maxCalls);
            if (groupListing != null) {
                return groupListing.apply(page, maxCalls);
            }
            Object answer = groups.get(group);
            if (answer instanceof RuntimeException e) {
                throw e;
            }
            var pages = (List<List<String>>) answer;
            var found = new ArrayList<String>();
            int at = Integer.parseInt(page);
            int calls = 0;
            while (at <= pages.size() && calls < maxCalls) {
                found.addAll(pages.get(at - 1));
                at++;
                calls++;
            }
            return new Projects(found, calls, at <= pages.size() ? Optional.of(Integer.toString(at))
                    : Optional.empty(), Optional.empty());
        }

        void answer(String project, JobEvent... jobs) {
            answers.put(project, new Listing(List.of(jobs), 1, true, Optional.empty()));
        }

        void fail(String project, RuntimeException e) {
            answers.put(project, e);
        }

        @Override
        public Forge forge() {
            return forge;
        }

        @Override
        public Listing pending(String project, int maxCalls) {
            asked.add(project);
            budgets.add(maxCalls);
            if (listing != null) {
                return listing.apply(project, maxCalls);
            }
            Object answer = answers.getOrDefault(project, new Listing(List.of(), 1, true, Optional.empty()));
            if (answer instanceof RuntimeException e) {
                throw e;
            }
            return (Listing) answer;
        }
    }

    private JobLedger ledger() {
        return new JobLedger() {
            @Override
            public Transition record(JobEvent event, Optional<String> pool, Instant now) {
                throw new UnsupportedOperationException("MissedJobs leaves recording to scale-up");
            }

            @Override
            public Optional<Job> find(String jobKey) {
                return Optional.ofNullable(ledger.get(jobKey));
            }

            @Override
            public List<Job> inStatus(String pool, JobStatus status) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<Job> unmatched(JobStatus status) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean assignPool(String jobKey, String pool, JobStatus status) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void markInterrupted(String jobKey) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean claimRetry(String jobKey, int max) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private EventLog log() {
        return new EventLog() {
            @Override
            public void info(String event, Map<String, ?> fields) {
                logs.add(event + " " + fields);
            }

            @Override
            public void warn(String event, Map<String, ?> fields) {
                logs.add(event + " " + fields);
            }
        };
    }

    private Metrics metrics() {
        return new Metrics() {
            @Override
            public void count(String name, Map<String, String> dimensions, double value) {
                metrics.add(name + new java.util.TreeMap<>(dimensions));
            }

            @Override
            public void milliseconds(String name, Map<String, String> dimensions, double millis) {
            }
        };
    }
}
