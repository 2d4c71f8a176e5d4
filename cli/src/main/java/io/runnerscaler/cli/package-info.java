/** The runner-scaler command. */
package io.runnerscaler.cli;
