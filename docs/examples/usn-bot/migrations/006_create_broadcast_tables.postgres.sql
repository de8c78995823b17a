CREATE TABLE broadcasts (
    id BIGSERIAL PRIMARY KEY,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    text TEXT NOT NULL CHECK (length(text) <= 4096),
    sent_at TIMESTAMP,
    status VARCHAR(16) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent'))
);

CREATE TABLE broadcast_recipients (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delivered BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (broadcast_id, user_id)
);
