-- Results, status and per-client requests (issue 11). ${flyway:defaultSchema} is database.schema.
--
-- client: who asked (SubmitOptions.client, the SQL API's option "client"), for listing a client's
-- requests newest first, paged by keyset (created_at, id) through the index tasks_client.
-- result_bytes: the size of the task's result as JSON (UTF-8), stored or not; result_omitted: why
-- the result is not in the column (larger than durable.max_result_kib, or not storable as jsonb).
ALTER TABLE "${flyway:defaultSchema}".tasks
  ADD COLUMN client         text    CHECK (client <> '' AND length(client) <= 100),
  ADD COLUMN result_bytes   integer CHECK (result_bytes >= 0),
  ADD COLUMN result_omitted text    CHECK (length(result_omitted) <= 500);

COMMENT ON COLUMN "${flyway:defaultSchema}".tasks.client IS
  'who submitted the task (SubmitOptions.client, enqueue option "client"), for listing a client''s requests';
COMMENT ON COLUMN "${flyway:defaultSchema}".tasks.result_omitted IS
  'why result is null although the task returned a value: too large (durable.max_result_kib) or not storable';

-- A client's requests newest first: WHERE client = ? AND (created_at, id) < (cursor) ORDER BY
-- created_at DESC, id DESC walks this index backwards and stops at the page's end.
CREATE INDEX tasks_client ON "${flyway:defaultSchema}".tasks (client, created_at, id) WHERE client IS NOT NULL;

-- As V3's, with the key "client" (a string of 1 to 100 characters) going to its column.
CREATE OR REPLACE FUNCTION "${flyway:defaultSchema}".enqueue_many(batch jsonb) RETURNS SETOF uuid
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
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(batch) AS e(t)
             WHERE coalesce(jsonb_typeof(e.t->'client'), 'null') <> 'null'
               AND (jsonb_typeof(e.t->'client') <> 'string' OR length(e.t->>'client') NOT BETWEEN 1 AND 100)) THEN
    RAISE EXCEPTION 'enqueue_many: client must be a string of 1 to 100 characters' USING ERRCODE = '22023';
  END IF;
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
                       'timeout', 'on_duplicate', 'client']
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
