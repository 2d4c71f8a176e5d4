package io.runnerscaler.core.planner;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The brake on a pool whose machines die before their first job (an image without the runner, a bootstrap that
 * exits, a forge that refuses registrations): once {@value #FAILURES} boot failures fall within {@link #WINDOW},
 * launches wait {@link #FIRST}, and each further boot failure doubles the wait, up to {@link #LONGEST}. A
 * machine that takes a job ends the backoff ({@link Reason#HEALTHY_LAUNCH}). Pure: the failure instants are
 * the pool's stored history since its last healthy machine.
 */
public final class BootBackoff {

    /** Boot failures within {@link #WINDOW} that start the backoff. */
    public static final int FAILURES = 3;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    /** The wait after the failure that started the backoff; doubled per boot failure after it. */
    public static final Duration FIRST = Duration.ofMinutes(1);
    public static final Duration LONGEST = Duration.ofMinutes(30);

    private BootBackoff() {
    }

    /**
     * Until when launches wait, given the boot failures (oldest first) since the pool's last healthy machine;
     * empty when they never came {@value #FAILURES} within {@link #WINDOW}. The instant may be past.
     */
    public static Optional<Instant> until(List<Instant> failures) {
        for (int i = 0; i + FAILURES - 1 < failures.size(); i++) {
            Instant third = failures.get(i + FAILURES - 1);
            if (!Duration.between(failures.get(i), third).minus(WINDOW).isPositive()) {
                int after = failures.size() - (i + FAILURES); // boot failures since the one that started it
                return Optional.of(failures.getLast().plus(wait(after)));
            }
        }
        return Optional.empty();
    }

    /** {@link #FIRST} doubled {@code doublings} times, at most {@link #LONGEST}. */
    static Duration wait(int doublings) {
        Duration wait = FIRST;
        for (int i = 0; i < doublings && wait.compareTo(LONGEST) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
    }
}
