-- 0006_key_expiry: a key may expire, and a revoked key records when (who revoked it is in the
-- audit log, written in the same transaction).
ALTER TABLE api_keys ADD COLUMN expires_at DOUBLE PRECISION;
ALTER TABLE api_keys ADD COLUMN revoked_at DOUBLE PRECISION;
