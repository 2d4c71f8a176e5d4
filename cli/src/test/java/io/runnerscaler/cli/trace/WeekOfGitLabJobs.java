package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Generates {@code examples/history/gitlab-jobs-week.json}: a week (Monday 2026-03-02 to Sunday, UTC) of one
 * project's jobs as GitLab's Jobs API lists them ({@code GET /projects/:id/jobs}, newest first, pages of 100,
 * joined into one array of pages), trimmed to the fields a trace reads. Weekdays follow the working-day
 * profile of {@code examples/traces/working-day.csv} (a nightly schedule at 02:00, a morning burst, a lunch dip);
 * weekends are quiet. A pipeline has a build stage of one to three jobs and, half the time, a test stage of one
 * or two jobs that GitLab creates with the pipeline and queues when the build stage is done, so their
 * {@code created_at} is well before they were pending. The jobs ran on the docker-autoscaler example's runner,
 * untagged, waiting up to 90 s for an instance; a few were canceled while pending or are manual jobs never
 * played. Fixed seed: {@link WeekOfGitLabJobsTest} checks the committed file against it.
 */
final class WeekOfGitLabJobs {

    static final long SEED = 20260308L;
    static final Instant MONDAY = Instant.parse("2026-03-02T00:00:00Z");
    private static final double[][] WEEKDAY = {
        {0.0, 0.5}, {7.0, 3}, {8.0, 8}, {8.5, 14}, {10.0, 9}, {12.0, 5}, {13.0, 9}, {16.0, 7}, {17.0, 3.5},
        {19.0, 1}, {22.0, 0.5}, {24.0, 0},
    };
    private static final double PEAK = 14;
    private static final double WEEKEND = 0.4;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WeekOfGitLabJobs() {
    }

    private record Job(long id, String name, String stage, String status, Instant created, Instant queued,
                       Instant started, Instant finished, long pipeline) {
    }

    static String generate() {
        Random random = new Random(SEED);
        var jobs = new ArrayList<Job>();
        long[] ids = {4_100_000L, 880_000L}; // next job id, next pipeline id
        for (int day = 0; day < 7; day++) {
            Instant midnight = MONDAY.plus(Duration.ofDays(day));
            pipeline(jobs, ids, random, midnight.plus(Duration.ofHours(2)), 5, true);
            double t = 0;
            while (true) {
                t += -Math.log(1 - random.nextDouble()) / PEAK * 3600;
                if (t >= 24 * 3600) {
                    break;
                }
                double rate = day < 5 ? rate(t / 3600) : WEEKEND;
                if (random.nextDouble() * PEAK < rate) {
                    pipeline(jobs, ids, random, midnight.plusSeconds((long) t), 1 + random.nextInt(3), false);
                }
            }
        }
        jobs.sort(Comparator.comparingLong(Job::id).reversed());
        // One job a line, pages of 100 as the API answers them, so the file reads and diffs well.
        var out = new StringBuilder("[\n");
        for (int from = 0; from < jobs.size(); from += 100) {
            out.append(from == 0 ? "" : ",\n").append("[\n");
            List<Job> page = jobs.subList(from, Math.min(jobs.size(), from + 100));
            for (int i = 0; i < page.size(); i++) {
                out.append("  ").append(json(page.get(i))).append(i + 1 < page.size() ? ",\n" : "\n");
            }
            out.append("]");
        }
        return out.append("\n]\n").toString();
    }

    /** One pipeline: its build jobs queued at once, and half the time test jobs queued when the builds are done. */
    private static void pipeline(List<Job> jobs, long[] ids, Random random, Instant created, int builds,
                                 boolean nightly) {
        long pipeline = ids[1]++;
        Instant buildsDone = created;
        var stage = new ArrayList<Job>();
        for (int i = 1; i <= builds; i++) {
            Job job = job(ids, random, nightly ? "nightly-" + i : "build-" + i, "build", created, created,
                    nightly ? 900 + random.nextInt(600) : minutes(random), pipeline);
            stage.add(job);
            if (job.finished() != null && job.finished().isAfter(buildsDone)) {
                buildsDone = job.finished();
            }
        }
        jobs.addAll(stage);
        if (nightly || random.nextBoolean()) {
            return;
        }
        boolean buildsPassed = stage.stream().allMatch(j -> "success".equals(j.status()));
        for (int i = 1; i <= 1 + random.nextInt(2); i++) {
            if (!buildsPassed) {
                jobs.add(new Job(ids[0]++, "test-" + i, "test", "skipped", created, null, null, null, pipeline));
                continue;
            }
            jobs.add(job(ids, random, "test-" + i, "test", created, buildsDone.plusSeconds(1), minutes(random),
                    pipeline));
        }
    }

    private static Job job(long[] ids, Random random, String name, String stage, Instant created, Instant queued,
                           int seconds, long pipeline) {
        long id = ids[0]++;
        double roll = random.nextDouble();
        if (roll < 0.02) {
            return new Job(id, name, stage, "canceled", created, queued, null, queued.plusSeconds(20), pipeline);
        }
        if (roll < 0.03) {
            return new Job(id, name, stage, "manual", created, null, null, null, pipeline);
        }
        Instant started = queued.plusMillis(random.nextInt(90_000));
        String status = roll < 0.10 ? "failed" : "success";
        return new Job(id, name, stage, status, created, queued, started, started.plusSeconds(seconds), pipeline);
    }

    private static int minutes(Random random) {
        double minutes = Math.exp(Math.log(6) + 0.5 * random.nextGaussian());
        return (int) Math.round(Math.max(2, Math.min(20, minutes)) * 60);
    }

    private static double rate(double hour) {
        double r = 0;
        for (double[] step : WEEKDAY) {
            if (hour >= step[0]) {
                r = step[1];
            }
        }
        return r;
    }

    private static ObjectNode json(Job j) {
        ObjectNode job = NODES.objectNode();
        job.put("id", j.id());
        job.put("name", j.name());
        job.put("stage", j.stage());
        job.put("status", j.status());
        job.put("ref", "main");
        job.putArray("tag_list");
        job.put("created_at", j.created().toString());
        putTime(job, "started_at", j.started());
        putTime(job, "finished_at", j.finished());
        if (j.started() != null && j.finished() != null) {
            job.put("duration", seconds(Duration.between(j.started(), j.finished())));
        } else {
            job.putNull("duration");
        }
        if (j.started() != null) {
            job.put("queued_duration", seconds(Duration.between(j.queued(), j.started())));
        } else {
            job.putNull("queued_duration");
        }
        ObjectNode pipeline = job.putObject("pipeline");
        pipeline.put("id", j.pipeline());
        pipeline.put("project_id", 278964);
        pipeline.put("ref", "main");
        return job;
    }

    private static void putTime(ObjectNode job, String field, Instant at) {
        if (at == null) {
            job.putNull(field);
        } else {
            job.put(field, at.toString());
        }
    }

    private static BigDecimal seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros();
    }
}
