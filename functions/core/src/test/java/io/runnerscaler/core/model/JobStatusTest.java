package io.runnerscaler.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobStatusTest {

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "CREATED, QUEUED, true",
            "QUEUED, RUNNING, true",
            "QUEUED, SUCCEEDED, true",
            "RUNNING, QUEUED, false",
            "RUNNING, RUNNING, false",
            "SUCCEEDED, FAILED, false",
            "FAILED, SUCCEEDED, false",
            "CANCELED, RUNNING, false"})
    void jobsOnlyMoveForwardAndFinishedIsFinal(JobStatus from, JobStatus to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
    }
}
