-- The core of a Telegram group bot, in the Alita style: surrogate keys, Telegram ids unique.
CREATE TABLE users (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL UNIQUE,          -- Telegram user id
    username   VARCHAR(255),
    name       VARCHAR(255),
    language   VARCHAR(10) NOT NULL DEFAULT 'en',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chats (
    id         BIGSERIAL PRIMARY KEY,
    chat_id    BIGINT NOT NULL UNIQUE,          -- Telegram chat id
    chat_name  VARCHAR(255),
    language   VARCHAR(10) NOT NULL DEFAULT 'en',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chat_users (
    chat_id BIGINT NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, user_id)
);
