/** Runner Scaler testkit module. */
package io.runnerscaler.testkit;
