package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.TaskDefinition;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.suspension.Suspensions;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/task-types} (the tasks this daemon has registered, with their rows by state and
 * whether they are suspended) and {@code POST /api/v1/task-types/{name}/suspend|resume}.
 */
final class TaskTypes {

  private final TaskRegistry registry;
  private final DurableTasks rows;
  private final Suspensions suspensions;
  private final ObjectMapper mapper;
  private final String defaultChannel;

  TaskTypes(TaskRegistry registry, DurableTasks rows, Suspensions suspensions, ObjectMapper mapper, String defaultChannel) {
    this.registry = registry;
    this.rows = rows;
    this.suspensions = suspensions;
    this.mapper = mapper;
    this.defaultChannel = defaultChannel;
  }

  ObjectNode list() throws SQLException {
    Map<String, Map<String, Long>> counts = rows.countsByTask();
    ObjectNode reply = mapper.createObjectNode();
    ArrayNode types = reply.putArray("task_types");
    List<RegisteredTask> tasks = registry.all().stream().sorted(Comparator.comparing(RegisteredTask::name)).toList();
    for (RegisteredTask task : tasks) {
      TaskDefinition definition = task.definition();
      ObjectNode type = types.addObject();
      type.put("name", definition.name());
      type.put("channel", definition.channel() != null ? definition.channel() : defaultChannel);
      type.put("durable", definition.durable());
      type.put("max_concurrency", definition.maxConcurrency());
      type.put("suspended", suspensions.isSuspended(definition.name()));
      type.set("counts", mapper.valueToTree(counts.getOrDefault(definition.name(), Map.of())));
    }
    reply.set("suspended", mapper.valueToTree(suspensions.names()));
    return reply;
  }

  /** Suspends or resumes a registered task type cluster-wide. */
  ObjectNode suspend(String name, boolean suspend) throws SQLException {
    if (registry.find(name) == null) {
      throw new ApiProblem(404, "no registered task named '" + ApiText.cut(name) + "'");
    }
    boolean changed = suspend ? suspensions.suspend(name) : suspensions.resume(name);
    ObjectNode reply = mapper.createObjectNode();
    reply.put("name", name);
    reply.put("suspended", suspensions.isSuspended(name));
    reply.put("changed", changed);
    return reply;
  }
}
