package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.usecase.InstanceEvents;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The EC2 samples in events/ have the shapes EventBridge delivers, and ec2-events acts on each. */
class Ec2EventSamplesTest {

    private static final String INSTANCE = "i-0a1b2c3d4e5f67890";
    private static final Instant LAUNCHED = Instant.parse("2026-11-23T10:30:00Z");

    private final Map<String, Machine> machines = new HashMap<>();
    private final MachineStore store = new MachineStore() {
        @Override
        public void put(Machine machine) {
            machines.put(machine.instanceId(), machine);
        }

        @Override
        public Optional<Machine> find(String instanceId) {
            return Optional.ofNullable(machines.get(instanceId));
        }

        @Override
        public List<Machine> alive(String pool) {
            return machines.values().stream().filter(m -> m.pool().equals(pool))
                    .filter(m -> m.state() != MachineState.TERMINATED).toList();
        }
    };
    private final Ec2EventsHandler handler = new Ec2EventsHandler(new InstanceEvents(store,
            Clock.fixed(Instant.parse("2026-11-23T10:45:00Z"), ZoneOffset.UTC), EventLog.NONE));

    @Test
    void spotInterruptionWarningDrainsTheBusyMachine() {
        machine(MachineState.BUSY);

        assertThat(handler.handleRequest(SampleEvents.map("ec2-spot-interruption.json"), null))
                .containsEntry("handled", true).containsEntry("instance", INSTANCE);
        assertThat(machines.get(INSTANCE).state()).isEqualTo(MachineState.DRAINING);
    }

    @Test
    void rebalanceRecommendationDrainsTheIdleMachine() {
        machine(MachineState.IDLE);

        assertThat(handler.handleRequest(SampleEvents.map("ec2-rebalance.json"), null)).containsEntry("handled", true);
        assertThat(machines.get(INSTANCE).state()).isEqualTo(MachineState.DRAINING);
    }

    @Test
    void terminatedStateChangeEndsTheMachineRecord() {
        machine(MachineState.IDLE);

        assertThat(handler.handleRequest(SampleEvents.map("ec2-state-change.json"), null))
                .containsEntry("handled", true);
        assertThat(machines.get(INSTANCE).state()).isEqualTo(MachineState.TERMINATED);
    }

    private void machine(MachineState state) {
        store.put(new Machine(INSTANCE, "docker-small", state, Market.SPOT, "m7g.large", 0, LAUNCHED, LAUNCHED,
                Optional.empty()));
    }
}
