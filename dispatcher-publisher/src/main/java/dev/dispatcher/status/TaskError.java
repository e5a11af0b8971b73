package dev.dispatcher.status;

import java.time.Instant;

/**
 * One failed attempt, as the row's {@code errors} keeps it.
 *
 * @param attempt the attempt that failed (1 for the first)
 * @param at when, or null when the entry does not say
 * @param node the node it ran on, or null
 * @param kind {@code failed}, {@code timed_out}, {@code unusable} (it could not run there), or null
 *     (a lease that expired)
 * @param error what happened: the exception as text, or why the lease expired
 * @param stack the top frames of the stack, or null
 */
public record TaskError(int attempt, Instant at, String node, String kind, String error, String stack) {}
