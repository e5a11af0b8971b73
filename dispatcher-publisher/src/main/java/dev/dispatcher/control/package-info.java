/**
 * The control client: asks running daemons what they do ({@code alive}, {@code running},
 * {@code status}, ...) and tells them what to do ({@code cancel}, {@code run},
 * {@code set_log_level}) over {@code pg_notify}, in the dispatcherd control format. Start with
 * {@link dev.dispatcher.control.ControlClient}.
 */
package dev.dispatcher.control;
