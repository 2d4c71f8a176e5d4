package io.runnerscaler.cli.ops;

import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.SqsDeadLetters;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.JobLedger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Operator commands: what the tables say, and re-driving the dead-letter queue. */
public final class OpsCommands {

    private OpsCommands() {
    }

    @Command(name = "machines", mixinStandardHelpOptions = true,
            description = {"List machine records, newest first; ended ones say why they ended.",
                "STEPS is each machine's way up, in seconds after its launch (or start) was asked for:",
                "EC2 running, runner registered (where the forge tells), first job running."})
    public static final class Machines implements Callable<Integer> {
        @Mixin
        StackOptions stack;

        @picocli.CommandLine.Option(names = "--all", description = "Include TERMINATED machines.")
        boolean all;

        @Override
        public Integer call() {
            var store = new DynamoMachineStore(stack.clients().dynamo(),
                    stack.required(stack.machinesTable, "--machines-table"));
            System.out.printf("%-14s %-21s %-10s %-9s %-11s %6s %-20s %-16s %-24s %s%n", "POOL", "INSTANCE",
                    "STATE", "MARKET", "TYPE", "BUILDS", "SINCE", "JOB", "ENDED", "STEPS");
            store.all().stream().filter(m -> all || m.state().isAlive())
                    .sorted(Comparator.comparing(Machine::launchedAt).reversed())
                    .forEach(m -> System.out.printf("%-14s %-21s %-10s %-9s %-11s %6d %-20s %-16s %-24s %s%n",
                            m.pool(), m.instanceId(), m.state(), m.market(), m.instanceType(), m.buildsDone(),
                            m.stateSince().truncatedTo(ChronoUnit.SECONDS), m.jobId().orElse(""), ended(m),
                            steps(m)));
            return 0;
        }
    }

    /**
     * Why an ended machine ended, and whether it ever ran a job: {@code BOOT_TIMEOUT, no job} is a machine that
     * never came up, the kind the boot-failure backoff counts.
     */
    static String ended(Machine m) {
        return m.ending().map(e -> e.reason() + (e.tookJob() ? ", ran jobs" : ", no job")).orElse("");
    }

    /**
     * A machine's way up, each step in seconds after it was asked for: {@code cold: requested → running 17 s →
     * registered 31 s → first job 33 s}. A step the record does not have yet (or the forge never tells: GitHub
     * reports no registration instant) is left out; the last word says what is still awaited.
     */
    static String steps(Machine m) {
        Machine.Steps s = m.steps();
        StringBuilder out = new StringBuilder(s.path().id()).append(": requested");
        s.running().ifPresent(t -> out.append(" → running ").append(after(s.requested(), t)));
        s.registered().ifPresent(t -> out.append(" → registered ").append(after(s.requested(), t)));
        s.firstJob().ifPresent(t -> out.append(" → first job ").append(after(s.requested(), t)));
        if (m.state() == MachineState.LAUNCHING) {
            out.append(" (booting)");
        } else if (m.state() == MachineState.IDLE && s.firstJob().isEmpty()) {
            out.append(" (waiting for its first job)");
        }
        return out.toString();
    }

    private static String after(Instant from, Instant to) {
        long ms = Math.max(0, java.time.Duration.between(from, to).toMillis());
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0) : (ms + 500) / 1000 + " s";
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the job ledger, newest first.")
    public static final class Jobs implements Callable<Integer> {
        @Mixin
        StackOptions stack;

        @Override
        public Integer call() {
            var ledger = new DynamoJobLedger(stack.clients().dynamo(),
                    stack.required(stack.jobsTable, "--jobs-table"));
            System.out.printf("%-22s %-10s %-14s %-30s %-20s %s%n", "JOB", "STATUS", "POOL", "PROJECT", "UPDATED",
                    "LABELS");
            ledger.all().stream().sorted(Comparator.comparing(JobLedger.Job::updatedAt).reversed())
                    .forEach(j -> System.out.printf("%-22s %-10s %-14s %-30s %-20s %s%n", j.jobKey(), j.status(),
                            j.pool().orElse("(unmatched)"), j.project(), j.updatedAt(), String.join(",", j.labels())));
            return 0;
        }
    }

    @Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead-letter queue tools.",
            subcommands = Dlq.Redrive.class)
    public static final class Dlq {

        @Command(name = "redrive", mixinStandardHelpOptions = true,
                description = "Move every message from the dead-letter queue back to the job queue.")
        public static final class Redrive implements Callable<Integer> {
            @Mixin
            StackOptions stack;

            @Override
            public Integer call() {
                int moved = new SqsDeadLetters(stack.clients().sqs(), stack.required(stack.dlqUrl, "--dlq-url"))
                        .redrive(stack.required(stack.queueUrl, "--queue-url"));
                System.out.printf("re-drove %d message(s) to the job queue%n", moved);
                return 0;
            }
        }
    }
}
