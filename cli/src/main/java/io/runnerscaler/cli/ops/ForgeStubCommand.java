package io.runnerscaler.cli.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runner-scaler forge-stub}: the GitLab and GitHub API calls the functions make, answered on localhost with
 * the recorded payloads the tests use ({@link ForgeApiStub}), so {@code runner-scaler local} can look up a GitLab
 * job's tags and give a GitHub machine its just-in-time runner without a real GitLab or GitHub App. Every GitLab
 * job it is asked about has the tags of the recorded job ({@code docker}, {@code linux}).
 */
@Command(name = "forge-stub", mixinStandardHelpOptions = true,
        description = {"Answer the GitLab and GitHub API calls the scaler makes with recorded payloads, on 127.0.0.1,",
            "for trying `runner-scaler local` without a real GitLab or GitHub App (see docs/local.md)."})
public final class ForgeStubCommand implements Callable<Integer> {

    /** The tags of the recorded job (forge-api payloads/gitlab/jobs-api-job.json) every lookup answers. */
    static final String GITLAB_TAGS = "docker, linux";

    @Option(names = "--port", defaultValue = "9090", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--write-app-key", paramLabel = "FILE",
            description = "Write a throwaway GitHub App private key (PEM) for local --github-app-key-file.")
    Optional<Path> appKey;

    @Option(names = "--for-seconds", defaultValue = "0", description = "Stop after this long (0 = until Ctrl-C).")
    int forSeconds;

    private final Listening listening = new Listening("forge-stub");

    /** The port it listens on, once started; fails if the command ended before it listened. */
    public int awaitPort() throws InterruptedException {
        return listening.await();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (appKey.isPresent()) {
            Path parent = appKey.get().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(appKey.get(), TestAppKey.pkcs8Pem());
            try {
                Files.setPosixFilePermissions(appKey.get(), PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort
            }
        }
        try (ForgeApiStub stub = ForgeApiStub.start(port)) {
            stubGitLab(stub);
            stubGitHub(stub, Clock.systemUTC());
            int boundPort = stub.baseUri().getPort();
            String url = "http://127.0.0.1:" + boundPort;
            System.err.printf("""
                    runner-scaler forge-stub on %s
                      GitLab API:  local --gitlab-url %s --gitlab-token-file <any non-empty file>
                                   every job's tag_list is [%s]
                      GitHub App:  local --github-api-url %s --github-app-id 4242 --github-app-installation-id 777 \\
                                   --github-app-key-file %s
                    %n""", url, url, GITLAB_TAGS, url, appKey.map(Path::toString).orElse("<a PEM, e.g. from --write-app-key>"));
            listening.at(boundPort);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            if (forSeconds > 0) {
                stop.await(forSeconds, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
        } finally {
            listening.ended();
        }
        return 0;
    }

    /** Job tags, pending-job listings, and the runner-manager calls of the busy check and deregistration. */
    private static void stubGitLab(ForgeApiStub stub) {
        stub.answer(get(urlPathMatching("/api/v4/projects/[^/]+/jobs/[0-9]+")), ForgeApiStub.gitlabJob());
        stub.answer(get(urlPathMatching("/api/v4/projects/[^/]+/jobs")),
                ForgeApiStub.json(200, "gitlab/project-jobs-none.json", Map.of()));
        stub.answer(post(urlPathMatching("/api/v4/runners/verify")),
                ForgeApiStub.json(200, "gitlab/verify-runner.json", Map.of()));
        stub.answer(get(urlPathMatching("/api/v4/runners/[0-9]+/jobs")),
                ForgeApiStub.json(200, "gitlab/runner-jobs-none.json", Map.of()));
        stub.answer(delete(urlPathMatching("/api/v4/runners/managers")), aResponse().withStatus(204));
    }

    /**
     * A GitHub App installation: its token (valid for an hour from now, as GitHub issues them), JIT runner configs
     * for organisations and repositories, runner lookups and deletion, and no queued runs; each answer carries the
     * rate-limit headers GitHub sends.
     */
    private static void stubGitHub(ForgeApiStub stub, Clock clock) {
        Instant now = clock.instant();
        Map<String, String> limits = ForgeApiStub.githubRateLimit(4999, now.plus(Duration.ofHours(1)));
        String token = ForgeApiStub.fixture("github/installation-token.json")
                .replaceFirst("\"expires_at\": *\"[^\"]*\"", "\"expires_at\": \"" + now.plus(Duration.ofHours(1)) + "\"");
        var tokenAnswer = aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(token);
        limits.forEach(tokenAnswer::withHeader);
        stub.answer(post(urlPathMatching("/app/installations/[0-9]+/access_tokens")), tokenAnswer);
        stub.answer(post(urlPathMatching("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners/generate-jitconfig")),
                ForgeApiStub.json(201, "github/generate-jitconfig.json", limits));
        stub.answer(get(urlPathMatching("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners")),
                ForgeApiStub.json(200, "github/runners-none.json", limits));
        stub.answer(delete(urlPathMatching("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners/[0-9]+")),
                aResponse().withStatus(204));
        stub.answer(get(urlPathMatching("/repos/[^/]+/[^/]+/actions/runs")),
                ForgeApiStub.json(200, "github/workflow-runs-none.json", limits));
    }
}
