-- Task types suspended cluster-wide: their durable rows wait in the table (no daemon claims them)
-- and their fire-and-forget messages are dropped (counted as "suspended"). A row here is the
-- suspension; deleting it resumes the task. Daemons read the table at start and every 2 s, and at
-- once on the control commands suspend and resume.
CREATE TABLE "${flyway:defaultSchema}".suspended_tasks (
  task          text        PRIMARY KEY CHECK (task <> '' AND length(task) <= 200),
  suspended_at  timestamptz NOT NULL DEFAULT now(),
  suspended_by  text
);

COMMENT ON TABLE "${flyway:defaultSchema}".suspended_tasks IS
  'dispatcher: task types suspended cluster-wide (durable rows wait, fire-and-forget messages are dropped); delete a row to resume';
