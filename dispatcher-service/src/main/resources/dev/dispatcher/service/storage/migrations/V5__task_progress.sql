-- What a running durable task last reported with context.progress(fraction, note): written by its
-- daemon at most about once a second (the last report wins), kept after the task finishes.
ALTER TABLE "${flyway:defaultSchema}".tasks
  ADD COLUMN progress      real CHECK (progress >= 0 AND progress <= 1),
  ADD COLUMN progress_note text CHECK (length(progress_note) <= 200),
  ADD COLUMN progress_at   timestamptz;
