/** Runner Scaler aws module. */
package io.runnerscaler.aws;
