package dev.dispatcher.wire;

/** One pg_notify call: a channel and a payload under 8000 bytes. */
public record Notification(String channel, String payload) {}
