-- API tokens may end on a date of their owner's choosing: after `expires_at` a token is no
-- longer accepted. Tokens made before have none and last until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
