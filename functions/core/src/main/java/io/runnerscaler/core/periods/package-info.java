/**
 * docker+machine {@code Periods}: GitLab 7-field and standard 5-field cron schedules evaluated on the
 * wall clock of an IANA timezone, so a period "9-17 mon-fri" in Europe/Berlin starts at 09:00 local
 * time on both sides of a daylight-saving change. The last matching period wins.
 */
package io.runnerscaler.core.periods;
