package dev.dispatcher.service.pool;

import dev.dispatcher.service.intake.TaskMessage;
import dev.dispatcher.service.registry.RegisteredTask;

/**
 * A task ready to run: the message, the method it names, and the arguments already bound
 * (bad arguments never reach the pool).
 */
public record Work(TaskMessage message, RegisteredTask task, Object[] arguments) {}
