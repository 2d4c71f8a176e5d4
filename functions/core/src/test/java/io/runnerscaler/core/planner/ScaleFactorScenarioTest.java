package io.runnerscaler.core.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue scenario 3: IdleScaleFactor 1.5, IdleCountMin 5, IdleCount 50: the idle target follows busy machines. */
class ScaleFactorScenarioTest {

    static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");
    static final PoolConfig POOL = Pools.pool().limit(200)
            .idle(new IdleSettings(50, 5, 1.5, Duration.ofSeconds(300))).build();

    static Stream<Arguments> cases() {
        return Stream.of(
                // behaviour, busy, idle machines (idle 10 min), target, launches, terminations
                Arguments.of("noBusyMachinesKeepIdleCountMin", 0, 0, 5, 5, 0),
                Arguments.of("fewBusyMachinesStillKeepIdleCountMin", 3, 5, 5, 0, 0),
                Arguments.of("fourBusyWantSixIdle", 4, 5, 6, 1, 0),
                Arguments.of("tenBusyWantFifteenIdle", 10, 5, 15, 10, 0),
                Arguments.of("thirtyThreeBusyWantFortyNine", 33, 49, 49, 0, 0),
                Arguments.of("targetStopsAtIdleCount", 40, 20, 50, 30, 0),
                Arguments.of("hundredBusyStillFifty", 100, 50, 50, 0, 0),
                Arguments.of("busyDropsSoIdleShrinksToTheNewTarget", 2, 15, 5, 0, 10));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idleTargetFollowsBusyMachinesWithinBounds(String behaviour, int busy, int idle, int target, int launches,
                                                  int terminations) {
        List<Machine> machines = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            machines.add(new Machine("b" + i, "docker", MachineState.BUSY, Market.SPOT, "m7i.large", 0,
                    NOW.minusSeconds(3600), NOW.minusSeconds(60), Optional.of("job" + i)));
        }
        for (int i = 0; i < idle; i++) {
            machines.add(new Machine(String.format("i%03d", i), "docker", MachineState.IDLE, Market.SPOT, "m7i.large",
                    0, NOW.minusSeconds(3000 - i), NOW.minusSeconds(600), Optional.empty()));
        }
        Plan plan = new Planner().plan(new PoolState(POOL, machines, 0, busy, 1000), NOW);
        assertThat(plan.assessment().idleTarget()).as(behaviour).isEqualTo(target);
        assertThat(plan.launchCount()).as(behaviour).isEqualTo(launches);
        assertThat(plan.terminations()).as(behaviour).hasSize(terminations)
                .allSatisfy(t -> assertThat(t.reason()).isEqualTo(Reason.IDLE_TIME_EXCEEDED));
    }
}
