package dev.dispatcher.service.durable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.wire.WireFormat;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims durable rows for this node, as many as the pool has free slots (and {@code prefetch}
 * more), and hands them to the pool as work. It claims when woken — by a channel's doorbell, by a
 * slot freeing while rows are known to wait, by the listener listening again (catch-up after an
 * outage) — and at least every {@code poll_interval}, so a lost doorbell costs latency, never a task. Only rows of tasks
 * this daemon has are claimed: daemons with other task sets can share a channel; rows of suspended
 * task types are not claimed at all (they wait in the table until resumed).
 *
 * <p>Rows of a task with {@code @Task(maxConcurrency = n)} are claimed apart ({@link
 * DurableTasks#claimLimited}): at most n of them run at once on all the nodes sharing the table,
 * whatever each node's slots. The count drops when a run's outcome is written, not when the run
 * ends, so a claim follows each batch of outcomes written while such a task was at its limit;
 * runs ending on other nodes are seen at the next claim (at the latest after {@code
 * poll_interval}). Other tasks are claimed as before, in one statement.
 *
 * <p>Outcomes waiting to be written count against the claim: a run's slot frees when it ends,
 * its row only once its outcome is written, so a slow writer would let a node claim on and on, its
 * rows piling up under lease. Past {@code durable.max_pending_completions} waiting outcomes it
 * claims nothing until the writer catches up (the writer wakes it after each batch): a node holds
 * at most {@code max_workers + prefetch + max_pending_completions} rows.
 *
 * <p>A row that cannot run here (its message breaks the daemon's limits, its arguments do not
 * bind) fails at once, for good: another attempt would fail the same way.
 *
 * <p>Anyone who can connect can ring a doorbell, as often as they like. Claims that find nothing in
 * a row therefore space the next ones out ({@link EmptyClaimPause}): a flood of doorbells costs at
 * most a claim per {@link EmptyClaimPause#MAX_PAUSE_NANOS}, and a doorbell that does bring rows is
 * answered at once again after the first claim that takes some.
 */
public final class Claimer implements Service {

  private static final Logger log = LoggerFactory.getLogger(Claimer.class);
  private static final long PREFETCH_CHECK_NANOS = 2_000_000;
  private static final long WAIT_LOG_INTERVAL_NANOS = 60_000_000_000L;

  private final DurableTasks rows;
  private final WorkerPool pool;
  private final TaskRegistry registry;
  private final TaskMessageReader reader;
  private final ObjectMapper mapper;
  private final List<String> channels;
  private final List<String> taskNames;
  /** The registered tasks with a limit of runs at once ({@code maxConcurrency}), by name. */
  private final Map<String, Integer> limits;
  private final DispatcherConfig.Durable settings;
  private final String nodeId;
  private final UnaryOperator<List<String>> claimable;
  private final Consumer<Completion> outcomes;
  private final IntSupplier pendingOutcomes;
  private final DispatcherEvents events;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private final Thread thread;
  private boolean wake; // guarded by lock
  private volatile boolean running = true;
  private volatile boolean reachable = true;
  /** The last claim filled what it asked for: more rows may wait, so a freed slot is worth a claim. */
  private volatile boolean backlogged;
  /** The last claim left rows of a limited task waiting for its limit: a written outcome is worth a claim. */
  private volatile boolean limitHeldBack;
  /** The last claim round took less than the slots allowed, for the outcomes waiting to be written. */
  private volatile boolean pendingHeldBack;
  private boolean waitingForOutcomes; // claimer thread only
  private boolean waitLogged; // claimer thread only: this wait for outcomes was logged
  private long lastWaitLogNanos; // claimer thread only
  private int waitsNotLogged; // claimer thread only: since the last one logged
  private int nextChannel; // claimer thread only
  private final EmptyClaimPause emptyClaims = new EmptyClaimPause(); // claimer thread only

  /**
   * @param claimable of the registered task names, those claims may take now (suspended ones are left out)
   * @param outcomes where rows that cannot run here go, failed
   * @param pendingOutcomes how many outcomes wait to be written now
   */
  public Claimer(DurableTasks rows, WorkerPool pool, TaskRegistry registry, TaskMessageReader reader, ObjectMapper mapper, List<String> channels,
      DispatcherConfig.Durable settings, String nodeId, UnaryOperator<List<String>> claimable, Consumer<Completion> outcomes,
      IntSupplier pendingOutcomes, DispatcherEvents events) {
    this.rows = rows;
    this.pool = pool;
    this.registry = registry;
    this.reader = reader;
    this.mapper = mapper;
    this.channels = List.copyOf(channels);
    this.taskNames = registry.all().stream().map(task -> task.definition().name()).sorted().toList();
    Map<String, Integer> limited = new TreeMap<>();
    registry.all().stream().filter(task -> task.definition().maxConcurrency() > 0)
        .forEach(task -> limited.put(task.definition().name(), task.definition().maxConcurrency()));
    this.limits = Map.copyOf(limited);
    this.settings = settings;
    this.nodeId = nodeId;
    this.claimable = claimable;
    this.outcomes = outcomes;
    this.pendingOutcomes = pendingOutcomes;
    this.events = events;
    this.thread = Thread.ofPlatform().name("dispatcher-claimer").daemon(true).unstarted(this::loop);
  }

  @Override
  public String name() {
    return "durable claimer";
  }

  @Override
  public void start() {
    thread.start();
  }

  /** Rows may wait (a doorbell rang, the listener is back): claim now. Never blocks. */
  public void wake() {
    lock.lock();
    try {
      wake = true;
      woken.signal();
    } finally {
      lock.unlock();
    }
  }

  /** A slot freed: worth a claim only while rows are known to wait (else every fire-and-forget task would cost a query). */
  public void slotFreed() {
    if (backlogged) {
      wake();
    }
  }

  /**
   * Outcomes were written: a claim held back by the outcomes waiting to be written may go on, and
   * rows of a limited task that waited for its limit may be claimed now (its running rows are
   * counted in the table, where a run ends only once its outcome is written).
   */
  public void outcomesWritten() {
    if (pendingHeldBack || limitHeldBack) {
      wake();
    }
  }

  /** False while the last claim could not reach the database. */
  public boolean isReachable() {
    return reachable;
  }

  private void loop() {
    while (running) {
      try {
        awaitWake();
        if (running) {
          claimRound();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("durable claim failed: {}", e.toString(), e);
      }
    }
  }

  private void awaitWake() throws InterruptedException {
    lock.lock();
    try {
      // while rows wait and the queue is full of prefetched ones, look for room often (the pool tells of
      // a freed slot only once its queue is empty, which would leave the slots idle for a claim's time)
      long nanos = backlogged && settings.prefetch() > 0 ? Math.min(PREFETCH_CHECK_NANOS, settings.pollInterval().toNanos())
          : settings.pollInterval().toNanos();
      while (!wake && nanos > 0 && running) {
        nanos = woken.awaitNanos(nanos);
      }
      // woken early after empty claims: wait out the pause (more doorbells meanwhile make one claim)
      long pause = emptyClaims.remainingNanos(System.nanoTime());
      while (pause > 0 && running) {
        woken.awaitNanos(pause);
        pause = emptyClaims.remainingNanos(System.nanoTime());
      }
      wake = false;
    } finally {
      lock.unlock();
    }
  }

  /** Claims for the free slots, channel after channel (starting with a different one each round, so none starves). */
  private void claimRound() {
    // Work queued in the pool counts against the free slots: a free slot does not mean a claimed row
    // starts, since work waits in the queue while a slot is free when its task is at its
    // maxConcurrency. Counting only the slots, a daemon with one such task running claimed again on
    // every round (and at once after each full claim) and held the channel's whole backlog in its
    // queue, leases renewed, out of other daemons' reach (DurableShutdownE2eTest: 8 rows held with
    // 4 slots). Now the rows it holds, running or queued, are at most max_workers.
    // With durable.prefetch, up to that many more wait in the queue; a claim then waits until half of
    // them have started, so claims stay batches rather than a row per freed slot.
    int prefetch = settings.prefetch();
    int queued = pool.queued();
    int free = Math.max(0, pool.freeSlots() + prefetch - queued);
    List<String> tasks = claimable.apply(taskNames);
    if (free == 0 || tasks.isEmpty() || prefetch > 0 && queued > 0 && free < (prefetch + 1) / 2) {
      return;
    }
    int pending = pendingOutcomes.getAsInt();
    int room = settings.maxPendingCompletions() - pending;
    pendingHeldBack = room < free;
    if (room <= 0) {
      if (!waitingForOutcomes) {
        waitingForOutcomes = true;
        logWait(pending);
      }
      return;
    }
    if (waitingForOutcomes) {
      if (waitLogged) {
        log.info("durable claims go on: {} outcome(s) wait to be written, under durable.max_pending_completions", pending);
      }
      waitingForOutcomes = false;
      waitLogged = false;
    }
    free = Math.min(free, room);
    Map<String, Integer> limited = limits.isEmpty() ? Map.of() : new TreeMap<>();
    List<String> unlimited = tasks;
    if (!limits.isEmpty()) {
      unlimited = new ArrayList<>(tasks.size());
      for (String task : tasks) {
        Integer limit = limits.get(task);
        if (limit != null) {
          limited.put(task, limit);
        } else {
          unlimited.add(task);
        }
      }
    }
    boolean full = false;
    boolean heldBack = false;
    int taken = 0;
    try {
      for (int i = 0; i < channels.size() && free > 0; i++) {
        String channel = channels.get((nextChannel + i) % channels.size());
        int asked = Math.min(free, settings.claimBatch());
        List<ClaimedRow> claimed = List.of();
        // the limited tasks first: they take at most their limits, so they cannot starve the others,
        // while a steady stream of other rows would starve them
        if (!limited.isEmpty()) {
          DurableTasks.LimitedClaim claim = rows.claimLimited(channel, limited, asked, nodeId, settings.lease());
          heldBack |= claim.atLimit();
          claimed = claim.rows();
        }
        if (!unlimited.isEmpty() && claimed.size() < asked) {
          List<ClaimedRow> more = rows.claim(channel, unlimited, asked - claimed.size(), nodeId, settings.lease());
          if (claimed.isEmpty()) {
            claimed = more;
          } else {
            claimed = new ArrayList<>(claimed);
            claimed.addAll(more);
          }
        }
        events.durableClaimed(claimed.size());
        if (!claimed.isEmpty()) {
          admit(claimed);
        }
        taken += claimed.size();
        free -= claimed.size();
        full |= claimed.size() == asked;
      }
      nextChannel = (nextChannel + 1) % channels.size();
      switch (emptyClaims.claimed(taken, System.nanoTime())) {
        case STARTED_PAUSING -> log.info("durable claims find nothing although woken: claiming at most every {} ms until one takes rows"
            + " (a doorbell flood, or other nodes faster)", EmptyClaimPause.MAX_PAUSE_NANOS / 1_000_000);
        case STOPPED_PAUSING -> log.info("durable claims take rows again: claiming as soon as woken");
        case UNCHANGED -> { }
      }
      if (!reachable) {
        log.info("durable claims reach the database again");
        reachable = true;
      }
    } catch (SQLException e) {
      if (reachable) {
        log.warn("cannot claim durable tasks: {}; trying again every {} ms", UntrustedText.of(e.getMessage(), 500),
            settings.pollInterval().toMillis());
        reachable = false;
      }
    }
    backlogged = full;
    limitHeldBack = heldBack;
    if (full) {
      wake(); // more may wait: claim again as soon as slots are free
    }
  }

  /** A wait for outcomes, logged at most once a minute (under steady load the bound may be reached every second). */
  private void logWait(int pending) {
    long now = System.nanoTime();
    if (lastWaitLogNanos != 0 && now - lastWaitLogNanos < WAIT_LOG_INTERVAL_NANOS) {
      waitsNotLogged++;
      return;
    }
    log.warn("durable claims wait: {} outcome(s) are waiting to be written (durable.max_pending_completions {}); claiming again as they"
        + " are written{}", pending, settings.maxPendingCompletions(),
        waitsNotLogged == 0 ? "" : " (" + waitsNotLogged + " such wait(s) since the last line like this)");
    lastWaitLogNanos = now;
    waitsNotLogged = 0;
    waitLogged = true;
  }

  private void admit(List<ClaimedRow> claimed) {
    List<Work> works = new ArrayList<>(claimed.size());
    for (ClaimedRow row : claimed) {
      Work work = toWork(row);
      if (work != null) {
        works.add(work);
      }
    }
    List<WorkerPool.Admission> admitted = pool.admitAll(works);
    for (int i = 0; i < works.size(); i++) {
      WorkerPool.Admission admission = admitted.get(i);
      if (admission != WorkerPool.Admission.STARTED && admission != WorkerPool.Admission.QUEUED) {
        DurableClaim claim = works.get(i).claim();
        outcomes.accept(new Completion.Released(claim.rowId(), claim.attempt(), nodeId)); // refused here: another node may take it
        log.info("durable task {} released: the pool refused it ({})", works.get(i).message().uuid(), admission);
      }
    }
  }

  /** The row as work for the pool, or null when it cannot run here (then it is failed for good). */
  private Work toWork(ClaimedRow row) {
    DurableClaim claim = new DurableClaim(row.id(), row.attempt(), row.maxAttempts(), row.backoffSeconds(), row.maxBackoffSeconds());
    RegisteredTask task = registry.find(row.task());
    try {
      TaskMessage message = reader.read(tree(row), row.channel(), row.uuid());
      return new Work(message, task, task.bind(message.args(), message.kwargs()), claim);
    } catch (BadMessageException | BindException | JsonProcessingException e) {
      ObjectNode error = mapper.createObjectNode().put("at", Instant.now().toString()).put("attempt", row.attempt()).put("node", nodeId)
          .put("kind", "unusable").put("error", UntrustedText.of(e.getMessage(), 2000));
      outcomes.accept(new Completion.Failed(row.id(), row.attempt(), error.toString()));
      log.warn("durable task {} {} failed for good: it cannot run here: {}", row.uuid(), UntrustedText.of(row.task()),
          UntrustedText.of(e.getMessage(), 500));
      return null;
    }
  }

  /** The task message the row stands for: the keys it kept, then its columns. */
  private ObjectNode tree(ClaimedRow row) throws JsonProcessingException {
    JsonNode kept = mapper.readTree(row.messageJson());
    ObjectNode message = kept instanceof ObjectNode object ? object : mapper.createObjectNode();
    message.put(WireFormat.UUID, row.uuid());
    message.put(WireFormat.TASK, row.task());
    message.set(WireFormat.ARGS, mapper.readTree(row.argsJson()));
    message.set(WireFormat.KWARGS, mapper.readTree(row.kwargsJson()));
    if (row.timeoutSeconds() > 0) {
      message.put(WireFormat.TIMEOUT, row.timeoutSeconds());
    }
    message.remove(List.of(WireFormat.DELAY, WireFormat.ON_DUPLICATE)); // the table applied them
    return message;
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    wake();
    thread.join(10_000);
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(5_000);
    }
  }
}
