package io.runnerscaler.lambda;

import io.runnerscaler.core.port.EventLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Warms the SDK clients before Lambda SnapStart takes its snapshot, so every restored instance starts with
 * their classes loaded, marshallers built, signer and TLS initialised, instead of paying that on its first
 * event.
 *
 * <p>Quarkus' own SnapStart support (on by default with amazon-lambda) already preloads and initialises the
 * application's classes before the snapshot; what it cannot do is exercise the SDK's request path. So each
 * function registers cheap, read-only calls against its real resources and runs its JSON and HMAC code on a
 * canned delivery ({@link FunctionPrimers}, AWS's "invoke priming").
 *
 * <p>Rules for what runs before the snapshot:
 * <ul>
 *   <li>Read, never write: the snapshot is taken once per published version, in the real account.</li>
 *   <li>Cache nothing that may change: the pools config and secrets read here must still be re-read (or
 *       checked for age) after restore, and nothing unique (ids, random seeds) may be drawn here.</li>
 *   <li>Credentials come from the default provider chain; SnapStart serves them through the container
 *       credentials endpoint, so none are frozen in the snapshot.</li>
 *   <li>Pooled connections opened here are stale after restore; the SDK retries them, which is cheaper
 *       than the work primed.</li>
 * </ul>
 *
 * <p>A failing primer is logged and skipped: priming only saves time, and a checkpoint hook that throws
 * makes Lambda fail the version. Without SnapStart (tests, the CLI, {@code sam local}) nothing runs unless
 * {@link #prime()} is called.
 */
public final class Priming implements Resource {

    /** The CRaC global context holds resources weakly; this keeps registered ones reachable. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();

    private final List<Runnable> primers;
    private final EventLog log;

    public Priming(List<Runnable> primers, EventLog log) {
        this.primers = List.copyOf(primers);
        this.log = log;
    }

    /** Creates a priming and registers it for the next checkpoint. */
    public static Priming register(List<Runnable> primers, EventLog log) {
        Priming priming = new Priming(primers, log);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        log.info("snapstart.restored", Map.of());
    }

    /**
     * Runs every primer once, in order, and returns how many failed. Failures are logged with the
     * exception type only: SDK messages can carry resource names and request details.
     */
    public int prime() {
        long start = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < primers.size(); i++) {
            try {
                primers.get(i).run();
            } catch (RuntimeException e) {
                failed++;
                log.warn("snapstart.primer_failed", Map.of("primer", i, "error", e.getClass().getName()));
            }
        }
        log.info("snapstart.primed", Map.of("primers", primers.size(), "failed", failed,
                "ms", (System.nanoTime() - start) / 1_000_000));
        return failed;
    }
}
