/** Runner Scaler forges module. */
package io.runnerscaler.forges;
