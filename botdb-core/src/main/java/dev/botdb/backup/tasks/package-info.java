/**
 * What every backup, restore and verify shares while it runs: progress lines every few seconds
 * ({@code Progress}), waiting on parallel table workers ({@code Futures}), and the clean-ups a
 * SIGTERM runs before the process exits ({@code Cleanups}). Internal.
 */
package dev.botdb.backup.tasks;
