-- Articles, the URLs they were seen under, and per-source crawl state.
-- Times are unix milliseconds in UTC.

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    url          TEXT    NOT NULL UNIQUE,  -- canonical URL of the first sighting
    source_id    TEXT    NOT NULL,
    outlet       TEXT    NOT NULL,
    lang         TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    author       TEXT    NOT NULL DEFAULT '',
    guid         TEXT    NOT NULL DEFAULT '',
    views        INTEGER NOT NULL DEFAULT 0,
    published    INTEGER NOT NULL,
    fetched      INTEGER NOT NULL,
    content_hash TEXT    NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_source_published ON articles (source_id, published);

-- Every canonical URL an article was seen under, with the outlet that
-- published it: a re-published identical text is stored once, but every
-- outlet that carried it stays known.
CREATE TABLE article_urls (
    url        TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source_id  TEXT    NOT NULL,
    outlet     TEXT    NOT NULL,
    seen       INTEGER NOT NULL
);
CREATE INDEX article_urls_article ON article_urls (article_id);

CREATE TABLE sources (
    id            TEXT    PRIMARY KEY,
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    next_check    INTEGER NOT NULL DEFAULT 0,
    last_fetch    INTEGER NOT NULL DEFAULT 0,
    last_success  INTEGER NOT NULL DEFAULT 0,
    last_status   TEXT    NOT NULL DEFAULT '',
    error_count   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    items_seen    INTEGER NOT NULL DEFAULT 0,
    cursor        TEXT    NOT NULL DEFAULT ''
);

-- Article pages that could not be read, so a broken link is not fetched
-- again on every poll; it is retried a few times with a growing pause.
CREATE TABLE fetch_failures (
    url        TEXT    PRIMARY KEY,
    source_id  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL,
    retry_at   INTEGER NOT NULL
);
