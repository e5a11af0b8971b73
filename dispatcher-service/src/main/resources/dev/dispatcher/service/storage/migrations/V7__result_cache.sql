-- The result cache (per task, opt-in). ${flyway:defaultSchema} is database.schema.
--
-- A submission with the option "cache_for" (seconds) is answered by a completed row of the same
-- task, args and kwargs (jsonb equality; the channel need not match) whose result was kept and
-- that finished at most cache_for seconds before the submission: enqueue_many inserts nothing for
-- it and returns that row's uuid in its place. cache_key is set only on rows submitted with
-- "cache_for" (0 included: such a row is not answered from the cache but answers later ones), so a
-- submission without it computes no key, looks nothing up and adds nothing to tasks_cache.
ALTER TABLE "${flyway:defaultSchema}".tasks ADD COLUMN cache_key uuid;

COMMENT ON COLUMN "${flyway:defaultSchema}".tasks.cache_key IS
  'task, args and kwargs hashed (md5 as a uuid) for the result cache; set only on rows submitted with cache_for';

-- The lookup: the newest kept result of one key, among completed rows only. Rows without a key are
-- not in it, so tasks that do not use the cache cost it nothing but the predicate's check.
CREATE INDEX tasks_cache ON "${flyway:defaultSchema}".tasks (cache_key, finished_at)
  WHERE state = 'completed' AND result_omitted IS NULL AND cache_key IS NOT NULL;

-- As V6's, with the key "cache_for": a number of seconds from 0 to 31536000 (a year). A batch in
-- which no task has it runs V6's statement as it was (its checks are made in one pass over the
-- batch instead of two). Otherwise the lookup and the insert are one statement: two submissions
-- that miss at the same time both go in and both run (a cache is not a lock; on_duplicate is).
CREATE OR REPLACE FUNCTION "${flyway:defaultSchema}".enqueue_many(batch jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
DECLARE
  answered uuid[];
  channels text[];
  bad_delay boolean;
  bad_client boolean;
  bad_cache boolean;
  caching boolean;
BEGIN
  IF jsonb_typeof(batch) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'enqueue_many: the batch must be a JSON array of task objects, got %', coalesce(jsonb_typeof(batch), 'null')
      USING ERRCODE = '22023';
  END IF;
  SELECT coalesce(bool_or(NOT coalesce((e.t->>'delay')::double precision BETWEEN 0 AND 31536000, true)), false),
         coalesce(bool_or(coalesce(jsonb_typeof(e.t->'client'), 'null') <> 'null'
                          AND (jsonb_typeof(e.t->'client') <> 'string' OR length(e.t->>'client') NOT BETWEEN 1 AND 100)), false),
         coalesce(bool_or(coalesce(jsonb_typeof(e.t->'cache_for'), 'null') NOT IN ('null', 'number')
                          OR (jsonb_typeof(e.t->'cache_for') = 'number'
                              AND NOT (e.t->>'cache_for')::double precision BETWEEN 0 AND 31536000)), false),
         coalesce(bool_or(jsonb_typeof(e.t->'cache_for') = 'number'), false)
    INTO bad_delay, bad_client, bad_cache, caching
    FROM jsonb_array_elements(batch) AS e(t);
  IF bad_delay THEN
    RAISE EXCEPTION 'enqueue_many: delay must be a number of seconds from 0 to 31536000 (a year)' USING ERRCODE = '22023';
  END IF;
  IF bad_client THEN
    RAISE EXCEPTION 'enqueue_many: client must be a string of 1 to 100 characters' USING ERRCODE = '22023';
  END IF;
  IF bad_cache THEN
    RAISE EXCEPTION 'enqueue_many: cache_for must be a number of seconds from 0 to 31536000 (a year)' USING ERRCODE = '22023';
  END IF;

  IF NOT caching THEN
    WITH input AS (
      SELECT e.t, e.n, coalesce((e.t->>'uuid')::uuid, gen_random_uuid()) AS uuid,
             coalesce(e.t->'args', '[]'::jsonb) AS args, coalesce(e.t->'kwargs', '{}'::jsonb) AS kwargs,
             coalesce((e.t->>'delay')::double precision, 0) AS delay
      FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(t, n)
    ), rows AS (
      INSERT INTO "${flyway:defaultSchema}".tasks (uuid, task, channel, args, kwargs, state, priority, max_attempts, backoff_seconds,
          max_backoff_seconds, timeout_seconds, on_duplicate, unique_key, run_at, client, message)
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
             i.t->>'client',
             i.t - ARRAY['uuid', 'task', 'channel', 'args', 'kwargs', 'delay', 'priority', 'max_attempts', 'backoff', 'max_backoff',
                         'timeout', 'on_duplicate', 'client', 'cache_for']
      FROM input i
      ORDER BY i.n
      ON CONFLICT DO NOTHING
      RETURNING uuid, channel
    )
    SELECT array_agg(r.uuid), array_agg(DISTINCT r.channel) INTO answered, channels FROM rows r;
  ELSE
    -- input is read three times and makes uuids: materialized, so each task has one.
    -- statement_timestamp(): the caller's statement, not its transaction's start (now()), however long that is open.
    WITH input AS MATERIALIZED (
      SELECT e.t, e.n, coalesce((e.t->>'uuid')::uuid, gen_random_uuid()) AS uuid,
             coalesce(e.t->'args', '[]'::jsonb) AS args, coalesce(e.t->'kwargs', '{}'::jsonb) AS kwargs,
             coalesce((e.t->>'delay')::double precision, 0) AS delay,
             (e.t->>'cache_for')::double precision AS cache_for,
             CASE WHEN jsonb_typeof(e.t->'cache_for') = 'number'
                  THEN md5((e.t->>'task') || ' ' || coalesce(e.t->'args', '[]'::jsonb)::text || ' '
                           || coalesce(e.t->'kwargs', '{}'::jsonb)::text)::uuid END AS cache_key
      FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(t, n)
    ), hits AS MATERIALIZED (
      SELECT i.n, hit.uuid
      FROM input i CROSS JOIN LATERAL (
        SELECT c.uuid FROM "${flyway:defaultSchema}".tasks c
        WHERE c.cache_key = i.cache_key AND c.state = 'completed' AND c.result_omitted IS NULL
          AND c.finished_at >= statement_timestamp() - make_interval(secs => i.cache_for)
          -- the key is a hash: the row must hold the same task and arguments
          AND c.task = i.t->>'task' AND c.args = i.args AND c.kwargs = i.kwargs
        ORDER BY c.finished_at DESC
        LIMIT 1) hit
      WHERE i.cache_for > 0
    ), rows AS (
      INSERT INTO "${flyway:defaultSchema}".tasks (uuid, task, channel, args, kwargs, state, priority, max_attempts, backoff_seconds,
          max_backoff_seconds, timeout_seconds, on_duplicate, unique_key, run_at, client, cache_key, message)
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
             i.t->>'client',
             i.cache_key,
             i.t - ARRAY['uuid', 'task', 'channel', 'args', 'kwargs', 'delay', 'priority', 'max_attempts', 'backoff', 'max_backoff',
                         'timeout', 'on_duplicate', 'client', 'cache_for']
      FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM hits h WHERE h.n = i.n)
      ORDER BY i.n
      ON CONFLICT DO NOTHING
      RETURNING uuid, channel
    ), answers AS (
      -- a uuid given twice in the batch goes in once: it answers the first of them
      SELECT min(i.n) AS n, r.uuid FROM rows r JOIN input i ON i.uuid = r.uuid GROUP BY r.uuid
      UNION ALL
      SELECT h.n, h.uuid FROM hits h
    )
    SELECT (SELECT array_agg(a.uuid ORDER BY a.n) FROM answers a), (SELECT array_agg(DISTINCT r.channel) FROM rows r)
      INTO answered, channels;
  END IF;
  -- a cache hit inserts nothing: only the channels of rows that went in are rung
  PERFORM pg_notify(c, '{"doorbell":"durable"}') FROM unnest(channels) AS c;
  RETURN QUERY SELECT u FROM unnest(answered) AS u;
END
$$;

COMMENT ON FUNCTION "${flyway:defaultSchema}".enqueue_many(jsonb) IS
  'dispatcher: enqueues durable tasks (a JSON array of task objects) and rings each channel once; returns, in order, the uuids that went in and, for a task answered by the result cache (cache_for), the cached row''s';

COMMENT ON FUNCTION "${flyway:defaultSchema}".enqueue(text, text, jsonb, jsonb, jsonb) IS
  'dispatcher: enqueues one durable task and rings its channel; returns its uuid, the cached row''s when the result cache (cache_for) answered it, or null when on_duplicate kept it out';
