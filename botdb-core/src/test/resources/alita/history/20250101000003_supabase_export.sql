-- an export of the whole schema so far: what already exists is created again
CREATE TYPE chat_status AS ENUM ('active', 'left');
CREATE EXTENSION plpgsql;
ALTER TABLE ONLY public.chat_users ADD CONSTRAINT chat_users_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE;
CREATE TYPE public.chat_role AS ENUM ('member', 'admin');
ALTER TABLE chats ADD COLUMN role chat_role NOT NULL DEFAULT 'member';
