package dev.dispatcher;

/**
 * What a submission came to ({@link TaskSubmitter#send}): the uuid that names its task, and
 * whether the result cache answered it; then the uuid is the cached row's, not the one the
 * submission was encoded with, and nothing was inserted or run for it.
 */
record Submitted(String uuid, boolean cached) {}
