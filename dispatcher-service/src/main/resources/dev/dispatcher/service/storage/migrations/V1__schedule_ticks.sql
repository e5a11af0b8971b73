-- Claims of cluster-wide schedule ticks (PostgresTickClaims): one row per claimed tick. Every node
-- inserts (schedule, tick) with ON CONFLICT DO NOTHING at each tick; the node whose row went in
-- fires it. ${flyway:defaultSchema} is database.schema, a plain lower-case identifier.
CREATE TABLE "${flyway:defaultSchema}".schedule_ticks (
  schedule   text        NOT NULL,
  tick       timestamptz NOT NULL,
  node_id    text        NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule, tick)
);

COMMENT ON TABLE "${flyway:defaultSchema}".schedule_ticks IS
  'dispatcher: claims of cluster-wide schedule ticks; the node whose row went in fired the tick';
