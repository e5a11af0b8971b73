-- Durable delivery: the row is the truth, NOTIFY on the row's channel only wakes the daemons.
-- ${flyway:defaultSchema} is database.schema, a plain lower-case identifier.
--
-- A row's life: scheduled (run_at ahead) or available -> running (claimed: attempt + 1, a lease
-- owned by attempted_by until lease_until) -> completed | retryable (run_at = the next try) | failed
-- (attempts exhausted: the dead letter) | cancelled. A lease that runs out returns the row to
-- retryable, or failed on its last attempt. Completions are fenced by (id, attempt): a node that lost
-- its lease cannot overwrite a newer attempt.
CREATE TABLE "${flyway:defaultSchema}".tasks (
  id                  bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid                uuid             NOT NULL UNIQUE,
  task                text             NOT NULL CHECK (task <> ''),
  channel             text             NOT NULL CHECK (channel <> '' AND octet_length(channel) <= 63),
  args                jsonb            NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(args) = 'array'),
  kwargs              jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(kwargs) = 'object'),
  state               text             NOT NULL DEFAULT 'available'
                                       CHECK (state IN ('scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled')),
  priority            integer          NOT NULL DEFAULT 0,
  attempt             integer          NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts        integer          NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 1000),
  backoff_seconds     double precision NOT NULL DEFAULT 2 CHECK (backoff_seconds >= 0 AND backoff_seconds <= 86400),
  max_backoff_seconds double precision NOT NULL DEFAULT 3600 CHECK (max_backoff_seconds >= 0 AND max_backoff_seconds <= 2592000),
  timeout_seconds     double precision CHECK (timeout_seconds >= 0 AND timeout_seconds <= 604800),
  on_duplicate        text             NOT NULL DEFAULT 'parallel' CHECK (on_duplicate IN ('parallel', 'discard', 'queue_one')),
  unique_key          text,
  run_at              timestamptz      NOT NULL DEFAULT now(),
  created_at          timestamptz      NOT NULL DEFAULT now(),
  attempted_at        timestamptz,
  finished_at         timestamptz,
  attempted_by        text,
  lease_until         timestamptz,
  errors              jsonb            NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
  result              jsonb,
  message             jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(message) = 'object')
);

COMMENT ON TABLE "${flyway:defaultSchema}".tasks IS
  'dispatcher: durable tasks; the row is the truth, a NOTIFY on its channel only wakes the daemons';
COMMENT ON COLUMN "${flyway:defaultSchema}".tasks.message IS
  'the keys of the task message the columns do not hold (time_pub, callbacks, errbacks, unknown keys)';
COMMENT ON COLUMN "${flyway:defaultSchema}".tasks.unique_key IS
  'task, args and kwargs hashed, for on_duplicate discard and queue_one';

-- The claim walks this index in its order (a plan that does not depend on statistics).
CREATE INDEX tasks_waiting ON "${flyway:defaultSchema}".tasks (channel, priority DESC, run_at, id)
  WHERE state IN ('scheduled', 'available', 'retryable');
-- The rescuer's expired leases, and the heartbeat's rows.
CREATE INDEX tasks_running ON "${flyway:defaultSchema}".tasks (lease_until) WHERE state = 'running';
-- Retention.
CREATE INDEX tasks_finished ON "${flyway:defaultSchema}".tasks (finished_at) WHERE state IN ('completed', 'failed', 'cancelled');
-- on_duplicate as uniqueness: discard admits no second row while one waits or runs; queue_one
-- admits one waiting row beside a running one.
CREATE UNIQUE INDEX tasks_discard ON "${flyway:defaultSchema}".tasks (unique_key)
  WHERE on_duplicate = 'discard' AND state IN ('scheduled', 'available', 'retryable', 'running');
CREATE UNIQUE INDEX tasks_queue_one ON "${flyway:defaultSchema}".tasks (unique_key)
  WHERE on_duplicate = 'queue_one' AND state IN ('scheduled', 'available', 'retryable');

-- Enqueues a batch: a JSON array of task objects, each with "task" and "channel" and optionally
-- "uuid", "args", "kwargs", "delay" (seconds), "priority", "max_attempts", "backoff" (seconds),
-- "max_backoff" (seconds), "timeout" (seconds), "on_duplicate"; every other key is kept in
-- tasks.message. Returns the uuid of each row that went in, in order (a duplicate under discard or
-- queue_one, or a uuid already enqueued, goes in no second time), and rings each channel once.
CREATE FUNCTION "${flyway:defaultSchema}".enqueue_many(batch jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
DECLARE
  inserted uuid[];
  channels text[];
BEGIN
  IF jsonb_typeof(batch) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'enqueue_many: the batch must be a JSON array of task objects, got %', coalesce(jsonb_typeof(batch), 'null')
      USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(batch) AS e(t)
             WHERE NOT coalesce((e.t->>'delay')::double precision BETWEEN 0 AND 31536000, true)) THEN
    RAISE EXCEPTION 'enqueue_many: delay must be a number of seconds from 0 to 31536000 (a year)' USING ERRCODE = '22023';
  END IF;
  WITH input AS (
    SELECT e.t, e.n, coalesce((e.t->>'uuid')::uuid, gen_random_uuid()) AS uuid,
           coalesce(e.t->'args', '[]'::jsonb) AS args, coalesce(e.t->'kwargs', '{}'::jsonb) AS kwargs,
           coalesce((e.t->>'delay')::double precision, 0) AS delay
    FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(t, n)
  ), rows AS (
    INSERT INTO "${flyway:defaultSchema}".tasks (uuid, task, channel, args, kwargs, state, priority, max_attempts, backoff_seconds,
        max_backoff_seconds, timeout_seconds, on_duplicate, unique_key, run_at, message)
    SELECT i.uuid, i.t->>'task', i.t->>'channel', i.args, i.kwargs,
           CASE WHEN i.delay > 0 THEN 'scheduled' ELSE 'available' END,
           coalesce((i.t->>'priority')::integer, 0),
           coalesce((i.t->>'max_attempts')::integer, 10),
           coalesce((i.t->>'backoff')::double precision, 2),
           coalesce((i.t->>'max_backoff')::double precision, 3600),
           nullif((i.t->>'timeout')::double precision, 0),
           coalesce(i.t->>'on_duplicate', 'parallel'),
           CASE WHEN i.t->>'on_duplicate' IN ('discard', 'queue_one')
                THEN md5((i.t->>'task') || ' ' || i.args::text || ' ' || i.kwargs::text) END,
           now() + make_interval(secs => i.delay),
           i.t - ARRAY['uuid', 'task', 'channel', 'args', 'kwargs', 'delay', 'priority', 'max_attempts', 'backoff', 'max_backoff',
                       'timeout', 'on_duplicate']
    FROM input i
    ORDER BY i.n
    ON CONFLICT DO NOTHING
    RETURNING uuid, channel
  )
  SELECT array_agg(r.uuid), array_agg(DISTINCT r.channel) INTO inserted, channels FROM rows r;
  PERFORM pg_notify(c, '{"doorbell":"durable"}') FROM unnest(channels) AS c;
  RETURN QUERY SELECT u FROM unnest(inserted) AS u;
END
$$;

COMMENT ON FUNCTION "${flyway:defaultSchema}".enqueue_many(jsonb) IS
  'dispatcher: enqueues durable tasks (a JSON array of task objects) and rings each channel once; returns the uuids that went in';

-- Enqueues one task; returns its uuid, or null when on_duplicate (discard, queue_one) or an
-- existing uuid kept it out. options: uuid, delay, priority, max_attempts, backoff, max_backoff,
-- timeout, on_duplicate, and any other key for the task message.
CREATE FUNCTION "${flyway:defaultSchema}".enqueue(task text, channel text, args jsonb DEFAULT '[]', kwargs jsonb DEFAULT '{}',
    options jsonb DEFAULT '{}') RETURNS uuid
LANGUAGE sql AS $$
  SELECT u FROM "${flyway:defaultSchema}".enqueue_many(jsonb_build_array(
    coalesce(options, '{}'::jsonb) || jsonb_build_object('task', task, 'channel', channel, 'args', coalesce(args, '[]'::jsonb),
      'kwargs', coalesce(kwargs, '{}'::jsonb)))) AS u
$$;

COMMENT ON FUNCTION "${flyway:defaultSchema}".enqueue(text, text, jsonb, jsonb, jsonb) IS
  'dispatcher: enqueues one durable task and rings its channel; returns its uuid (null when on_duplicate kept it out)';
