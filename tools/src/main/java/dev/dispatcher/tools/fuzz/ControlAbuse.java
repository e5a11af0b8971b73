package dev.dispatcher.tools.fuzz;

import static dev.dispatcher.tools.fuzz.Json.object;
import static dev.dispatcher.tools.fuzz.Json.str;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Control messages: floods of read-only commands, reply_to pointing anywhere, and acting commands nobody allowed. */
final class ControlAbuse {

  /** The commands that only read. */
  static final List<String> READ_ONLY = List.of("alive", "running", "workers", "producers", "main", "chunks", "metrics", "status");

  private final Context c;

  ControlAbuse(Context c) {
    this.c = c;
  }

  private static String control(String command, String data, String replyTo) {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("control", command);
    message.put("control_data", data);
    message.put("reply_to", replyTo);
    return object(message);
  }

  String flood() {
    String replyTo = str(c.replyTo());
    return switch (c.random.nextInt(13)) {
      case 0, 1, 2, 3, 4, 5 -> control(str(c.pick(READ_ONLY)), null, replyTo);
      case 6 -> control(str(c.pick(READ_ONLY)), null, null);
      case 7 -> control(str("running"), "{\"uuid\":" + str(c.recentValidUuid()) + "}", replyTo);
      case 8 -> control(str("running"), "{\"task\":" + str(Context.SUM2) + "}", replyTo);
      case 9 -> control(str(c.pick("reboot", "shutdown", "", "ALIVE", "__proto__", "status ", "exec", Json.repeat('c', 2000))),
          null, replyTo);
      case 10 -> control(c.pick("1", "null", "{}", "[]", "true", "[\"status\"]"), null, replyTo);
      case 11 -> control(str(c.pick(READ_ONLY)), c.pick("1", "\"x\"", "[]", "{\"uuid\":{}}", "{\"task\":[1]}", "null"), replyTo);
      default -> "{\"control\":\"alive\",\"task\":" + str(Context.SUM2) + ",\"uuid\":" + str(c.hostileUuid())
          + ",\"args\":[1,2],\"reply_to\":" + replyTo + "}"; // a control message wearing a task's keys
    };
  }

  String replyToAbuse() {
    String hex32 = c.replyTo().substring("reply_to_".length());
    String replyTo = c.pick(str(c.targets.victimChannel()), str(c.targets.victimChannel()), str(c.targets.victimChannel()),
        str(c.targets.daemonChannel()), str(""), str(" "), str("a b"), str("x\"; DROP TABLE dispatcher_runs; --"),
        str(Json.repeat('r', 63)), str(Json.repeat('r', 64)), str(Json.repeat('r', 7000)), "1", "{}", "[]", "true",
        str("reply_to_" + hex32.substring(1)), str("REPLY_TO_" + hex32.toUpperCase(java.util.Locale.ROOT)),
        str("reply_to_" + hex32 + "_x"), str("pg_catalog"), str("reply_to_\u0000"));
    return control(str(c.pick("status", "status", "running", "metrics", "alive")), null, replyTo);
  }

  String acting() {
    String replyTo = c.random.nextBoolean() ? str(c.replyTo()) : null;
    return switch (c.random.nextInt(14)) {
      case 0, 1 -> control(str("cancel"), "{\"uuid\":" + str(c.recentValidUuid()) + "}", replyTo);
      case 2 -> control(str("cancel"), "{\"task\":" + str(Context.SUM2) + "}", replyTo);
      case 3 -> control(str("cancel"), "{\"task\":" + str(Context.HELLO) + "}", replyTo);
      case 4 -> control(str("cancel"), "{\"uuid\":" + str(c.recentValidUuid()) + ",\"task\":" + str(Context.SUM2) + "}", replyTo);
      case 5 -> control(str("cancel"), c.pick(null, "{}", "{\"uuid\":5}", "[]"), replyTo);
      case 6, 7 -> control(str("run"), "{\"task\":" + str(Context.INSERT_ROW) + ",\"args\":["
          + str(c.targets.runNotePrefix() + c.hostileUuid()) + "]}", replyTo);
      case 8 -> control(str("run"), "{\"task\":" + str(Context.SLEEP) + ",\"args\":[1e9]}", replyTo);
      case 9 -> control(str("run"), "{\"task\":\"java.lang.System.exit\",\"args\":[0]}", replyTo);
      case 10 -> control(str("set_log_level"), "{\"level\":\"OFF\"}", replyTo);
      case 11 -> control(str("set_log_level"), c.pick("{\"level\":\"ERROR\"}", "{\"level\":\"OFF\",\"logger\":\"dev.dispatcher\"}"), replyTo);
      case 12 -> control(str("set_log_level"), c.pick("{\"level\":\"bogus\"}", "{\"level\":5}", "{}"), replyTo);
      default -> control(str(c.pick("insert_row", "reload", "exit", "drain")), "{}", replyTo); // acting commands of the future
    };
  }
}
