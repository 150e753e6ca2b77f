-- Digests sent or being sent, one per period and language. The digest
-- runner claims a row before it mails and marks it sent after, so a retry
-- after a crash or a second process does not send the same digest twice,
-- and a failed send stays visible with its error until it is retried.

CREATE TABLE digests (
    period_from  INTEGER NOT NULL,                  -- unix milliseconds, inclusive
    period_to    INTEGER NOT NULL,                  -- exclusive
    lang         TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    recipients   TEXT    NOT NULL DEFAULT '',       -- comma-separated, as sent
    message_id   TEXT    NOT NULL DEFAULT '',
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL,                  -- last claim or outcome
    sent_at      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period_from, period_to, lang)
);
CREATE INDEX digests_state ON digests (state, period_to);
