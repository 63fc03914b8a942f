-- The audit log of one kind of record in the order it was written, so the newest changes of
-- a kind are read without sorting all of them; and who made each kind's changes, so counting
-- one person's changes of a kind reads this index alone.
CREATE INDEX audit_log_kind_order ON audit_log (entity_kind, id);
CREATE INDEX audit_log_kind_actor ON audit_log (entity_kind, actor);
