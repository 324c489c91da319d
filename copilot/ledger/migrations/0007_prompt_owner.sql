-- 0007_prompt_owner: a prompt version belongs to the merchant whose trainer wrote it; NULL is
-- shared (an admin published it; versions made before this migration were shared already).
ALTER TABLE prompt_versions ADD COLUMN merchant TEXT;
