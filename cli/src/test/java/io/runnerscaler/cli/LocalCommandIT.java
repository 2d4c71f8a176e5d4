package io.runnerscaler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.cli.ops.LocalCommand;
import io.runnerscaler.testkit.Emulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/** {@code runner-scaler local} takes a real HTTP webhook delivery and launches a machine on the emulator. */
class LocalCommandIT {

    @Test
    void webhookPostedToTheLocalEndpointLaunchesAMachine(@TempDir Path dir) throws Exception {
        Emulator.reset();
        Path config = dir.resolve("pools.yaml");
        Files.writeString(config, """
                concurrent: 4
                pools:
                  - name: docker
                    forge: gitlab
                    runUntagged: true
                    instanceTypes: [t3.large]
                    launchTemplate: runner-scaler-docker
                    tokenParameter: /runner-scaler/local/docker/runner-token
                    market: on-demand
                    limit: 2
                    idleCount: 0
                    idleTime: 300
                """);
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "runner-scaler-test-gitlab-token\n");
        LocalCommand local = new LocalCommand();
        var args = new String[] {"--config", config.toString(), "--port", "0", "--endpoint",
                Emulator.endpoint().toString(), "--gitlab-secret-file", secret.toString(), "--for-seconds", "30"};
        Future<Integer> run = Executors.newSingleThreadExecutor().submit(() -> new CommandLine(local).execute(args));
        int port = local.awaitPort();

        var sample = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Emulator.ProjectRoot.find().resolve("events/webhook-gitlab-pending.json").toFile());
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/gitlab"))
                .header("Content-Type", "application/json").header("X-Gitlab-Event", "Job Hook")
                .header("X-Gitlab-Token", "runner-scaler-test-gitlab-token")
                .POST(HttpRequest.BodyPublishers.ofString(sample.get("body").asText())).build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);

        var ec2 = AwsClients.create("us-east-1", Optional.of(Emulator.endpoint())).ec2();
        long launched = 0;
        for (int i = 0; i < 50 && launched == 0; i++) {
            Thread.sleep(200);
            launched = ec2.describeInstances(DescribeInstancesRequest.builder().filters(Filter.builder()
                            .name("tag:runner-scaler:job").values("gitlab:1977").build()).build())
                    .reservations().stream().mapToLong(r -> r.instances().size()).sum();
        }
        assertThat(launched).isEqualTo(1);

        var wrong = HttpClient.newHttpClient().send(HttpRequest.newBuilder(request.uri())
                .header("X-Gitlab-Token", "nope").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        run.cancel(true);
    }
}
