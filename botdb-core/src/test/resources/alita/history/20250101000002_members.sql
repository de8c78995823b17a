CREATE TABLE chat_users (
    chat_id bigint NOT NULL,
    user_id bigint NOT NULL,
    CONSTRAINT chat_users_pkey PRIMARY KEY (chat_id, user_id)
);
ALTER TABLE chat_users ADD CONSTRAINT chat_users_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE;
CREATE INDEX chat_users_user ON chat_users (user_id);
INSERT INTO chats VALUES (1, 'active');
INSERT INTO chat_users VALUES (1, 42);
