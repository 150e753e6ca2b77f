-- Rule matches: every rule an article matched when it was scored, with
-- its score, decision and evidence. Alerting and the digest read them;
-- re-scoring an article replaces its rows.

CREATE TABLE matches (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rule_id    TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    score      REAL    NOT NULL,
    decision   TEXT    NOT NULL,   -- digest, alert or critical (ignored matches are not kept)
    evidence   TEXT    NOT NULL,   -- JSON list of {field, text, marks}
    scored     INTEGER NOT NULL,   -- unix milliseconds
    PRIMARY KEY (article_id, rule_id)
);
CREATE INDEX matches_category ON matches (category, article_id);
