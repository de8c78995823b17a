CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    text TEXT NOT NULL CHECK (length(text) <= 4096),
    sent_at DATETIME,
    status VARCHAR(16) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent'))
);

CREATE TABLE broadcast_recipients (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delivered BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
