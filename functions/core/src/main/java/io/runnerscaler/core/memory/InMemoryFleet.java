package io.runnerscaler.core.memory;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fleet in memory: instances get ids in launch order and start {@code running}. What a launch can supply is
 * the {@link Supply}'s to say, so capacity errors and partial launches can be injected, with errors shaped as an
 * instant fleet reports them (per override, also beside launched instances). The world around it stops, ends
 * or takes back instances with {@link #setState}.
 */
public class InMemoryFleet implements Fleet {

    /** How many of a launch the market can supply; the rest answers {@code errors}. */
    @FunctionalInterface
    public interface Supply {
        Answer answer(PoolConfig pool, int count, Market market);

        /** Every launch is supplied in full. */
        Supply UNLIMITED = (pool, count, market) -> new Answer(count, List.of());
    }

    /** What the market supplies for one launch. */
    public record Answer(int supplied, List<LaunchFailure> errors) {
        public Answer {
            errors = List.copyOf(errors);
        }

        /** {@code supplied} machines, and one capacity error for the rest, as EC2 answers spot without room. */
        public static Answer capacity(int supplied, int requested) {
            return new Answer(supplied, supplied >= requested ? List.of()
                    : List.of(new LaunchFailure(LaunchFailure.Kind.CAPACITY, "InsufficientInstanceCapacity",
                            "There is no Spot capacity available that matches your request.")));
        }
    }

    /** An instance as this fleet keeps it. */
    public record Instance(String instanceId, String pool, String instanceType, Market market, String state,
                           Instant launchTime, Map<String, String> tags) {
        public Instance {
            tags = Map.copyOf(tags);
        }
    }

    private final Supplier<Instant> clock;
    private final Function<PoolConfig, String> ids;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    /** The image each instance was launched from, where one was set ({@link #launchImage}). */
    private final Map<String, String> images = new LinkedHashMap<>();
    private String launchImage = "";
    private Supply supply = Supply.UNLIMITED;
    private Function<String, Optional<LaunchFailure>> starts = id -> Optional.empty();
    private long sequence;
    private int launchCalls;
    private int startCalls;
    private int stopCalls;

    /** @param clock the launch time of new instances */
    public InMemoryFleet(Supplier<Instant> clock) {
        this(clock, null);
    }

    /** @param ids names each new instance of a pool; by default {@code i-} and 17 hex digits, in launch order */
    public InMemoryFleet(Supplier<Instant> clock, Function<PoolConfig, String> ids) {
        this.clock = Objects.requireNonNull(clock);
        this.ids = ids != null ? ids : pool -> String.format("i-%017x", ++sequence);
    }

    /** From now on, launches get what {@code supply} says. */
    public synchronized void supply(Supply supply) {
        this.supply = Objects.requireNonNull(supply);
    }

    @Override
    public synchronized LaunchResult launch(PoolConfig pool, int count, Market market, Map<String, String> tags) {
        launchCalls++;
        Answer answer = supply.answer(pool, count, market);
        int supplied = Math.max(0, Math.min(count, answer.supplied()));
        return new LaunchResult(place(pool, supplied, market, tags), count, answer.errors());
    }

    /** Instances the world starts with (a warm pool), whatever the supply says; no launch call is counted. */
    public synchronized List<Launched> launchUnsupplied(PoolConfig pool, int count, Market market) {
        return place(pool, count, market, Map.of());
    }

    private List<Launched> place(PoolConfig pool, int count, Market market, Map<String, String> tags) {
        String type = pool.instanceTypes().isEmpty() ? "" : pool.instanceTypes().getFirst();
        List<Launched> launched = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = ids.apply(pool);
            instances.put(id, new Instance(id, pool.name(), type, market, "running", clock.get(), tags));
            images.put(id, launchImage);
            launched.add(new Launched(id, type, market));
        }
        return launched;
    }

    /** From now on, instances launch from {@code imageId}, as EC2 lists it (empty: unknown, as before any call). */
    public synchronized void launchImage(String imageId) {
        this.launchImage = Objects.requireNonNull(imageId);
    }

    /** From now on, a start answers what {@code answer} says for the instance (empty: started). */
    public synchronized void starts(Function<String, Optional<LaunchFailure>> answer) {
        this.starts = Objects.requireNonNull(answer);
    }

    @Override
    public synchronized LaunchResult launchStoppable(PoolConfig pool, int count, Market market,
                                                     Map<String, String> tags) {
        return launch(pool, count, market, tags);
    }

    /** Starts a {@code stopped} instance: it is {@code running} at once (the caller's clock models the boot). */
    @Override
    public synchronized Optional<LaunchFailure> start(String instanceId) {
        startCalls++;
        Instance i = instances.get(instanceId);
        if (i == null || !i.state().equals("stopped") && !i.state().equals("stopping")) {
            return Optional.of(new LaunchFailure(LaunchFailure.Kind.CONFIG, "IncorrectInstanceState",
                    "The instance '" + instanceId + "' is not in a state from which it can be started."));
        }
        Optional<LaunchFailure> refused = starts.apply(instanceId);
        if (refused.isEmpty()) {
            setState(instanceId, "running");
        }
        return refused;
    }

    /** Stops instances: they are {@code stopped} at once. */
    @Override
    public synchronized void stop(Collection<String> instanceIds) {
        stopCalls++;
        for (String id : instanceIds) {
            Instance i = instances.get(id);
            if (i != null && !i.state().equals("terminated")) {
                setState(id, "stopped");
            }
        }
    }

    @Override
    public synchronized void terminate(Collection<String> instanceIds) {
        for (String id : instanceIds) {
            Instance i = instances.get(id);
            if (i != null) {
                setState(id, "terminated");
            }
        }
    }

    @Override
    public synchronized List<FleetInstance> describeManaged() {
        return instances.values().stream().filter(i -> !i.state().equals("terminated"))
                .map(i -> new FleetInstance(i.instanceId(), i.pool(), i.state(), i.launchTime(),
                        images.getOrDefault(i.instanceId(), ""),
                        i.tags().containsKey(READY_TAG))).toList();
    }

    /** The world changes an instance: {@code stopped}, {@code terminated} (it shut down, spot took it) ... */
    public synchronized void setState(String instanceId, String state) {
        Instance i = instances.get(instanceId);
        if (i == null) {
            throw new IllegalArgumentException("no instance " + instanceId);
        }
        instances.put(instanceId, new Instance(i.instanceId(), i.pool(), i.instanceType(), i.market(), state,
                i.launchTime(), i.tags()));
    }

    /** An instance launched outside the scaler's records (a scale-up that died before writing its table). */
    public synchronized String launchUnrecorded(PoolConfig pool, Market market) {
        return launch(pool, 1, market, Map.of()).launched().getFirst().instanceId();
    }

    public synchronized List<Instance> instances() {
        return List.copyOf(instances.values());
    }

    /** Instances not terminated. */
    public synchronized List<Instance> live() {
        return instances.values().stream().filter(i -> !i.state().equals("terminated")).toList();
    }

    public synchronized Instance instance(String instanceId) {
        return instances.get(instanceId);
    }

    public synchronized int startCalls() {
        return startCalls;
    }

    public synchronized int stopCalls() {
        return stopCalls;
    }

    /** The instance booted to ready for the stopped pool and tagged itself so. */
    public synchronized void markReady(String instanceId) {
        Instance i = instances.get(instanceId);
        var tags = new LinkedHashMap<>(i.tags());
        tags.put(READY_TAG, "true");
        instances.put(instanceId, new Instance(i.instanceId(), i.pool(), i.instanceType(), i.market(), i.state(),
                i.launchTime(), tags));
    }

    /** How many launch calls were made (one per CreateFleet in production). */
    public synchronized int launchCalls() {
        return launchCalls;
    }
}
