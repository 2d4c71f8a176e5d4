/**
 * In-memory adapters of the ports, with the behaviour their contract suites pin down (the same suites the
 * DynamoDB, SQS and EC2 adapters pass): the simulator runs the real executor over them, the use-case unit tests
 * run on them, and testkit extends them with injected faults. Not for production: nothing persists.
 */
package io.runnerscaler.core.memory;
