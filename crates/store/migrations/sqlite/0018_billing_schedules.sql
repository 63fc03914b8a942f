-- How each won deal is billed, when it is not the organisation's usual practice for its
-- revenue type: in advance or in arrears, once, yearly, quarterly, monthly or by custom
-- milestones (a JSON array of {"on", "amount_minor"}). A deal has one schedule at a time;
-- every change to it is in the audit log.
CREATE TABLE billing_schedules (
    deal_id     INTEGER PRIMARY KEY REFERENCES deals (id),
    timing      TEXT NOT NULL CHECK (timing IN ('advance', 'arrears')),
    frequency   TEXT NOT NULL CHECK (frequency IN ('once', 'yearly', 'quarterly', 'monthly', 'custom')),
    milestones  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
