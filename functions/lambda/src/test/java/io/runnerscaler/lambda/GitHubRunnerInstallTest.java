package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the image's GitHub runner build step (infra-sam/image/install-github-runner.sh) in a sandbox: GitHub's
 * release API answers with the shape of {@code GET /repos/actions/runner/releases} and {@code .../releases/tags/v…}
 * (tag_name, draft, prerelease, published_at, assets with name, browser_download_url and digest), the tarball is
 * a real one holding a fake {@code bin/Runner.Listener}, and aws, dnf, useradd, usermod and chown are fakes that
 * record their calls. Which version lands on the image decides whether GitHub gives its machines jobs.
 */
class GitHubRunnerInstallTest {

    static final Instant NOW = Instant.parse("2026-12-03T06:00:00Z");

    @TempDir
    Path tmp;
    private Path bin;
    private Path calls;
    private Path runnerDir;
    private Path fixtures;
    private final List<String> releases = new ArrayList<>();

    @BeforeEach
    void sandbox() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        calls = tmp.resolve("calls.log");
        runnerDir = tmp.resolve("opt/actions-runner");
        fixtures = Files.createDirectories(tmp.resolve("fixtures"));
        fake("aws", """
                echo "aws $*" >> "$CALLS"
                [[ "$1 $2 $4" == "ssm get-parameter $SETTINGS_PATH/github-runner-version" ]] && printf '%s\\n' "$WANTED\"""");
        fake("curl", """
                echo "curl $*" >> "$CALLS"
                out= url=
                while (( $# )); do case "$1" in -o) out=$2; shift 2 ;; -H) shift 2 ;; -*) shift ;; *) url=$1; shift ;; esac; done
                case "$url" in
                  https://api.github.com/repos/actions/runner/releases\\?per_page=100) cat "$FIXTURES/releases.json" ;;
                  https://api.github.com/repos/actions/runner/releases/tags/v*) cat "$FIXTURES/tag-${url##*/tags/}.json" ;;
                  https://github.com/actions/runner/releases/download/*) cp "$FIXTURES/${url##*/}" "$out" ;;
                  *) echo "unexpected url $url" >&2; exit 22 ;;
                esac""");
        // The build machine's clock; anything else date is asked goes to the real one.
        fake("date", "if [[ \"$*\" == \"-u +%s\" ]]; then echo " + NOW.getEpochSecond() + "; else exec /usr/bin/env -i PATH=/usr/bin:/bin date \"$@\"; fi");
        fake("uname", "echo x86_64");
        fake("id", "exit 1");
        fake("runuser", "shift 3; exec \"$@\"");
        for (String tool : List.of("dnf", "useradd", "usermod", "chown")) {
            fake(tool, "echo \"" + tool + " $*\" >> \"$CALLS\"");
        }
    }

    @Test
    void aCurrentPinIsWhatTheImageGets() throws Exception {
        release("2.336.0", NOW.minus(Duration.ofDays(40)));
        release("2.337.0", NOW.minus(Duration.ofDays(5)));

        var run = install("2.336.0");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(installed()).isEqualTo("2.336.0");
        assertThat(run.output()).doesNotContain("WARNING");
        assertThat(run.calls()).contains("dnf install -y openssl-libs krb5-libs zlib libicu", "usermod -aG docker runner",
                "chown -R runner:runner " + runnerDir);
    }

    @Test
    void aPinInItsLastTenDaysIsInstalledWithAWarningNamingTheDaysLeft() throws Exception {
        release("2.336.0", NOW.minus(Duration.ofDays(60)));
        release("2.337.0", NOW.minus(Duration.ofDays(24)));
        release("2.338.0", NOW.minus(Duration.ofDays(2)));

        var run = install("2.336.0");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(installed()).isEqualTo("2.336.0");
        assertThat(run.output()).contains("WARNING runner 2.336.0 has 6 days left: 2.337.0 came out");
    }

    @Test
    void aPinGitHubNoLongerGivesJobsToIsReplacedByTheLatestRelease() throws Exception {
        release("2.336.0", NOW.minus(Duration.ofDays(90)));
        release("2.337.0", NOW.minus(Duration.ofDays(45)));
        release("2.338.0", NOW.minus(Duration.ofDays(12)));

        var run = install("2.336.0");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(installed()).isEqualTo("2.338.0");
        assertThat(run.output()).contains("WARNING GitHub would refuse runner 2.336.0 (2.337.0 came out 45 days ago")
                .contains("installing 2.338.0 instead; set GitHubRunnerVersion to 2.338.0 or to latest");
    }

    @Test
    void aPinBelowTheRegistrationMinimumIsReplacedByTheLatestRelease() throws Exception {
        release("2.328.0", NOW.minus(Duration.ofDays(200)));
        release("2.336.0", NOW.minus(Duration.ofDays(3)));

        var run = install("2.328.0");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(installed()).isEqualTo("2.336.0");
        assertThat(run.output()).contains("it is below 2.329.0, the oldest runner GitHub lets register");
    }

    @Test
    void latestFollowsGitHubsNewestPublishedReleaseNotADraftOrPrerelease() throws Exception {
        release("2.336.0", NOW.minus(Duration.ofDays(40)));
        release("2.337.0", NOW.minus(Duration.ofDays(6)));
        releases.add(releaseJson("2.338.0", NOW.minus(Duration.ofDays(1)), true, "sha256:" + "0".repeat(64)));

        var run = install("latest");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(installed()).isEqualTo("2.337.0");
    }

    @Test
    void aTarballThatDoesNotMatchGitHubsDigestIsNotUnpacked() throws Exception {
        release("2.336.0", NOW.minus(Duration.ofDays(3)));
        Files.writeString(fixtures.resolve("actions-runner-linux-x64-2.336.0.tar.gz"), "not the release");

        var run = install("2.336.0");

        assertThat(run.exit()).isNotZero();
        assertThat(runnerDir.resolve("bin/Runner.Listener")).doesNotExist();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("chown"));
    }

    // ------------------------------------------------------------------ helpers

    private record Run(int exit, String output, List<String> calls) {
    }

    private Run install(String wanted) throws Exception {
        assumeTrue(onPath("jq"), "jq is not installed here; the image installs it before this step");
        Files.writeString(fixtures.resolve("releases.json"), "[" + String.join(",", releases.reversed()) + "]");
        Path output = tmp.resolve("output.log");
        var builder = new ProcessBuilder("bash", TemplateTest.projectRoot()
                .resolve("infra-sam/image/install-github-runner.sh").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("CALLS", calls.toString());
        env.put("FIXTURES", fixtures.toString());
        env.put("WANTED", wanted);
        env.put("SETTINGS_PATH", "/runner-scaler-image/build");
        env.put("RUNNER_SCALER_RUNNER_DIR", runnerDir.toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
        List<String> recorded = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8), recorded);
    }

    /** A published release with its linux-x64 tarball served at its browser_download_url. */
    private void release(String version, Instant published) throws Exception {
        Path layout = Files.createDirectories(tmp.resolve("layout-" + version + "/bin"));
        Path listener = layout.resolve("Runner.Listener");
        Files.writeString(listener, "#!/usr/bin/env bash\necho " + version + "\n");
        Files.setPosixFilePermissions(listener, PosixFilePermissions.fromString("rwxr-xr-x"));
        String asset = "actions-runner-linux-x64-" + version + ".tar.gz";
        Process tar = new ProcessBuilder("tar", "-czf", fixtures.resolve(asset).toString(), "-C",
                layout.getParent().toString(), "bin").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        String digest = "sha256:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(fixtures.resolve(asset))));
        String json = releaseJson(version, published, false, digest);
        releases.add(json);
        Files.writeString(fixtures.resolve("tag-v" + version + ".json"), json);
    }

    private static String releaseJson(String version, Instant published, boolean prerelease, String digest) {
        String asset = "actions-runner-linux-x64-" + version + ".tar.gz";
        return """
                {"url": "https://api.github.com/repos/actions/runner/releases/1", "tag_name": "v%1$s",
                 "target_commitish": "main", "name": "v%1$s", "draft": false, "prerelease": %2$s,
                 "created_at": "%3$s", "published_at": "%3$s",
                 "assets": [
                   {"name": "actions-runner-linux-arm64-%1$s.tar.gz", "content_type": "application/octet-stream",
                    "state": "uploaded", "size": 1, "digest": "sha256:%4$s",
                    "browser_download_url": "https://github.com/actions/runner/releases/download/v%1$s/actions-runner-linux-arm64-%1$s.tar.gz"},
                   {"name": "%5$s", "content_type": "application/octet-stream", "state": "uploaded", "size": 1,
                    "digest": "%6$s",
                    "browser_download_url": "https://github.com/actions/runner/releases/download/v%1$s/%5$s"}]}"""
                .formatted(version, prerelease, published, "1".repeat(64), asset, digest);
    }

    private String installed() throws IOException {
        return Files.readString(runnerDir.resolve("bin/Runner.Listener")).lines().filter(l -> l.startsWith("echo "))
                .findFirst().orElseThrow().substring(5);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private void fake(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
