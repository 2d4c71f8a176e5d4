package io.runnerscaler.cli.ops;

import java.util.concurrent.CountDownLatch;

/** The port a long-running command's server listens on, for a caller in the same process (a test) to wait for. */
final class Listening {

    private final String command;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile int port;

    Listening(String command) {
        this.command = command;
    }

    void at(int listening) {
        port = listening;
        ready.countDown();
    }

    /** The command ended, listening or not: no waiter may wait on. */
    void ended() {
        ready.countDown();
    }

    /** The port, once listening; fails if the command ended before it listened. */
    int await() throws InterruptedException {
        ready.await();
        if (port == 0) {
            throw new IllegalStateException("runner-scaler " + command + " ended before it listened; see its output");
        }
        return port;
    }
}
