-- chat state as an enum, and the extension the search uses
CREATE TYPE chat_status AS ENUM ('active', 'left');
CREATE EXTENSION plpgsql;
CREATE TABLE chats (
    id bigint PRIMARY KEY,
    status chat_status NOT NULL DEFAULT 'active'
);
