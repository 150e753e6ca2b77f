-- People who use the web UI and API, their login sessions and their API
-- tokens. Session ids and tokens are stored only as SHA-256 hashes, so a
-- copy of the database opens no session; passwords are bcrypt hashes.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT    NOT NULL,                 -- viewer, analyst or admin
    lang          TEXT    NOT NULL DEFAULT 'ru',    -- interface language: ru, ky or en
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL,
    last_login    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    id_hash  TEXT    PRIMARY KEY,                   -- hex SHA-256 of the cookie value
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf     TEXT    NOT NULL,                      -- the session's CSRF token
    created  INTEGER NOT NULL,
    expires  INTEGER NOT NULL,
    ip       TEXT    NOT NULL DEFAULT '',
    agent    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label      TEXT    NOT NULL DEFAULT '',
    hash       TEXT    NOT NULL UNIQUE,             -- hex SHA-256 of the token
    prefix     TEXT    NOT NULL,                    -- its first characters, to tell tokens apart
    created    INTEGER NOT NULL,
    last_used  INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
