package dev.dispatcher.service.completion;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.pool.TaskExecution;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The fire-and-forget completer behind the real runner: log lines, the queue-wait histogram, follow-ups. */
class FireAndForgetCompleterTest {

  static final class ExecutionTasks {
    @Task(name = "exec.noop")
    static void noop() {}
  }

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final Logger taskLog = (Logger) LoggerFactory.getLogger("dev.dispatcher.task");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Level previousLevel;
  private RegisteredTask noop;
  private TaskExecution execution;
  private final List<TaskMessage> followUps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    noop = TaskRegistry.of(List.of(ExecutionTasks.class.getDeclaredMethod("noop")), WireFormat.newObjectMapper()).find("exec.noop");
    Hooks hooks = new Hooks(List.of());
    FireAndForgetCompleter completer = new FireAndForgetCompleter(hooks, metrics,
        new TaskMessageReader(WireFormat.newObjectMapper(), MessageLimits.of(Duration.ofHours(1), Duration.ofHours(1))), followUps::add);
    execution = new TaskExecution("n1", hooks, metrics, timer, WireFormat.newObjectMapper(), null, completer);
    previousLevel = taskLog.getLevel();
    taskLog.setLevel(Level.INFO);
    logs.start();
    taskLog.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    taskLog.detachAppender(logs);
    taskLog.setLevel(previousLevel);
    timer.shutdownNow();
  }

  private void run(String uuid, double timePub) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "exec.noop").put("uuid", uuid).put("time_pub", timePub);
    execution.run(new Work(TestMessages.of(message, "ch", uuid), noop, new Object[0]));
  }

  private String logLine(String uuid) {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(line -> line.startsWith("task " + uuid + " "))
        .findFirst().orElseThrow();
  }

  private double scraped(String series) {
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series + "{task=\"exec.noop\"}") + " (\\S+)$")
        .matcher(metrics.prometheus().scrape());
    assertThat(value.find()).as("%s in the scrape", series).isTrue();
    return Double.parseDouble(value.group(1));
  }

  private static double now() {
    Instant now = Instant.now();
    return now.getEpochSecond() + now.getNano() / 1e9;
  }

  /** BUG: a time_pub of -1e308 was recorded as a wait of 292 years, and the next one overflowed the sum to negative. */
  @Test
  void implausiblePublishTimesAreNotRecordedAndLeaveTheQueueWaitHistogramSane() {
    run("far-past", -1e308);
    run("far-future", 1e308);
    run("far-past-again", -1e308);
    run("an-hour-ahead", now() + 3600);
    run("years-ago", now() - 1e9);
    run("just-now", now() - 0.5);
    run("skewed", now() + 5);

    assertThat(scraped("dispatcher_task_duration_seconds_count")).isEqualTo(7);
    assertThat(scraped("dispatcher_task_queue_wait_seconds_count")).as("only the plausible waits").isEqualTo(2);
    assertThat(scraped("dispatcher_task_queue_wait_seconds_sum")).isBetween(0.5, 60.0);
    assertThat(scraped("dispatcher_task_queue_wait_seconds_max")).isBetween(0.5, 60.0);
    for (String uuid : List.of("far-past", "far-future", "far-past-again", "an-hour-ahead", "years-ago")) {
      assertThat(logLine(uuid)).as(uuid).contains("(waited ? ms)");
    }
    assertThat(logLine("just-now")).containsPattern("\\(waited [0-9]+\\.[0-9]{2} ms\\)").doesNotContain("waited -");
    assertThat(logLine("skewed")).as("a publisher's clock a little ahead counts as no wait").contains("(waited 0.00 ms)");
  }

  @Test
  void callbacksAskingForMoreThanTheLimitsAreNotFollowed() {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "exec.noop").put("uuid", "parent");
    message.putArray("callbacks")
        .add(JsonNodeFactory.instance.objectNode().put("task", "exec.noop").put("uuid", "ok").put("delay", 60))
        .add(JsonNodeFactory.instance.objectNode().put("task", "exec.noop").put("uuid", "forever").put("delay", 1e308))
        .add(JsonNodeFactory.instance.objectNode().put("task", "exec.noop").put("uuid", "too-long").put("timeout", 7200));
    execution.run(new Work(TestMessages.of(message, "ch", "parent"), noop, new Object[0]));

    assertThat(followUps).extracting(TaskMessage::uuid).containsExactly("ok");
    assertThat(metrics.counts().dropped(DropReason.BAD_FOLLOWUP)).isEqualTo(2);
  }
}
