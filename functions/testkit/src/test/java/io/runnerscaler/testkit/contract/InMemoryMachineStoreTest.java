package io.runnerscaler.testkit.contract;

import io.runnerscaler.core.memory.InMemoryMachineStore;
import io.runnerscaler.core.port.MachineStore;

/** The in-memory machine store the simulator and the use-case tests run on, held to the store's contract. */
class InMemoryMachineStoreTest extends MachineStoreContract {

    @Override
    protected MachineStore store() {
        return new InMemoryMachineStore();
    }
}
