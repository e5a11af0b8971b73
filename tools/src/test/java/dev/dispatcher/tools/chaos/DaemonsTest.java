package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.service.config.ConfigLoader;
import dev.dispatcher.service.config.DispatcherConfig;
import java.io.StringReader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonsTest {

  @Test
  void theConfigIsOneTheDaemonAcceptsWithTheShortDurableSettings() {
    DispatcherConfig config = new ConfigLoader(Map.of(ConfigLoader.ENV_DATABASE_URL, "postgresql://postgres@127.0.0.1:5432/postgres"))
        .parse(new StringReader(Daemons.config("chaos-b", 16)), "chaos-b.yml");
    assertThat(config.nodeId()).isEqualTo("chaos-b");
    assertThat(config.channels()).containsExactly(ChaosSchema.CHANNEL);
    assertThat(config.database().schema()).isEqualTo(ChaosSchema.SCHEMA);
    assertThat(config.pool().maxWorkers()).isEqualTo(16);
    assertThat(config.tasks().classes()).containsExactly(ChaosTasks.class.getName());
    DispatcherConfig.Durable durable = config.durable();
    assertThat(durable.enabled()).isTrue();
    assertThat(durable.lease()).isEqualTo(Duration.ofSeconds(3));
    assertThat(durable.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(durable.rescueInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(durable.pollInterval()).isEqualTo(Duration.ofMillis(200));
    // what the output says about them
    assertThat(Daemons.DURABLE_SETTINGS).contains("lease 3s", "heartbeat_interval 1s", "rescue_interval 1s", "poll_interval 200ms");
  }

  @Test
  void theLogbackConfigQuietsOnlyTheLinePerTask() {
    assertThat(Daemons.LOGBACK).contains("<logger name=\"dev.dispatcher.task\" level=\"WARN\"/>").contains("<root level=\"INFO\">")
        .contains("EscapedMessageConverter");
  }
}
