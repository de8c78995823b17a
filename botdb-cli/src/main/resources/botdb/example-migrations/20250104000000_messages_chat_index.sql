-- CONCURRENTLY cannot run inside a transaction: botdb sees that and runs this file outside one,
-- without holding any transaction open that the index build would wait for.
CREATE INDEX CONCURRENTLY IF NOT EXISTS stored_messages_chat_created_idx
    ON stored_messages (chat_id, created_at DESC);
