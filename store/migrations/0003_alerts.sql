-- Stories, alerts and the outbox of their notifications. An alert change
-- and the notifications it causes are written in one transaction, so a
-- crash loses neither; the outbox key makes each notification unique per
-- alert version (or article) and receiver, so none is sent twice.

-- The story each article was grouped into (every article, matched or not:
-- an outlet picking a story up in other words still belongs to it).
CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    story_id   TEXT    NOT NULL,
    added      INTEGER NOT NULL
);
CREATE INDEX story_articles_story ON story_articles (story_id, article_id);

CREATE TABLE alerts (
    id               TEXT    PRIMARY KEY,
    story_id         TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL DEFAULT 'rule',   -- rule or spike
    status           TEXT    NOT NULL,                  -- open, acknowledged or resolved
    severity         TEXT    NOT NULL,                  -- low, medium, high or critical
    first_severity   TEXT    NOT NULL,
    score            REAL    NOT NULL,                  -- the strongest match so far
    first_score      REAL    NOT NULL,
    categories       TEXT    NOT NULL,                  -- JSON list
    rules            TEXT    NOT NULL,                  -- JSON list
    title            TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    evidence         TEXT    NOT NULL,                  -- JSON list of {rule, field, text, marks}
    escalations      TEXT    NOT NULL DEFAULT '[]',     -- JSON list of the triggers that fired
    version          INTEGER NOT NULL,
    first_published  INTEGER NOT NULL,
    created          INTEGER NOT NULL,                  -- raised
    alerted_at       INTEGER NOT NULL DEFAULT 0,        -- first delivered to a receiver
    acked_at         INTEGER NOT NULL DEFAULT 0,
    acked_by         TEXT    NOT NULL DEFAULT '',
    resolved_at      INTEGER NOT NULL DEFAULT 0,
    resolved_by      TEXT    NOT NULL DEFAULT '',
    updated          INTEGER NOT NULL
);
CREATE INDEX alerts_status ON alerts (status, created);
CREATE INDEX alerts_created ON alerts (created);

-- What happened to an alert, and who did it.
CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY,
    alert_id TEXT    NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    kind     TEXT    NOT NULL,   -- opened, article, escalated, acknowledged, resolved, reopened
    actor    TEXT    NOT NULL DEFAULT '',
    comment  TEXT    NOT NULL DEFAULT '',
    detail   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,               -- idempotency key
    alert_id     TEXT    NOT NULL,
    receiver     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,                      -- new, update, escalation, reopen, status, summary
    version      INTEGER NOT NULL,
    article_id   INTEGER NOT NULL DEFAULT 0,            -- the article of an update
    payload      TEXT    NOT NULL DEFAULT '',           -- a summary's JSON list of alert ids
    created      INTEGER NOT NULL,
    not_before   INTEGER NOT NULL,                      -- group wait, quiet hours
    next_attempt INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'pending',    -- pending, delivered, failed, skipped, summarised
    delivered_at INTEGER NOT NULL DEFAULT 0,
    ref          TEXT    NOT NULL DEFAULT ''            -- the receiver's id of the message (Slack ts)
);
CREATE INDEX outbox_pending ON outbox (state, next_attempt);
CREATE INDEX outbox_alert ON outbox (alert_id, receiver, id);
CREATE INDEX outbox_receiver ON outbox (receiver, delivered_at);

-- The message an alert started at each receiver (a Slack thread), and the
-- last article its messages carried, so an update repeats nothing.
CREATE TABLE threads (
    alert_id TEXT    NOT NULL,
    receiver TEXT    NOT NULL,
    ref      TEXT    NOT NULL,
    covered  INTEGER NOT NULL,
    PRIMARY KEY (alert_id, receiver)
);

-- Small durable counters of the alerting engine (its high-water mark).
CREATE TABLE alerting_state (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
