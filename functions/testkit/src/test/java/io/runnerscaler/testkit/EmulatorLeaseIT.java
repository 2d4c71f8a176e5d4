package io.runnerscaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A command's lease of an emulator that was running before it leaves that emulator running. */
class EmulatorLeaseIT {

    @Test
    void anEmulatorRunningBeforeTheCommandIsUsedAndLeftRunning() throws Exception {
        var running = Emulator.endpoint();

        Emulator.Lease lease = Emulator.lease();
        lease.close();

        assertThat(lease.endpoint()).isEqualTo(running);
        assertThat(lease.startedHere()).isFalse();
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(running.resolve("/moto-api/")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).as("still answering").isEqualTo(200);
    }
}
