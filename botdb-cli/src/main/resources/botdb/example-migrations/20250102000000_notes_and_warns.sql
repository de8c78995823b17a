CREATE TYPE warn_mode AS ENUM ('mute', 'kick', 'ban');

CREATE TABLE warns_settings (
    chat_id    BIGINT PRIMARY KEY REFERENCES chats (chat_id) ON DELETE CASCADE,
    warn_limit INTEGER NOT NULL DEFAULT 3 CHECK (warn_limit BETWEEN 1 AND 100),
    mode       warn_mode NOT NULL DEFAULT 'mute'
);

CREATE TABLE notes (
    id         BIGSERIAL PRIMARY KEY,
    chat_id    BIGINT NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
    name       VARCHAR(255) NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (chat_id, name)
);

-- keep updated_at honest without trusting every caller
ALTER TABLE notes ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();  -- a ';' inside a dollar-quoted body does not end the statement
    RETURN NEW;
END;
$$;
CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
