-- One row per run of a scheduled job. Every instance on the database wakes at the job's
-- slots (the schedule's moments, the same for all of them); the one whose insert of (job,
-- slot) succeeds runs it and the others skip it, so a job runs once per slot however many
-- instances there are. A run whose instance stopped before the end keeps no finish.
CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          TEXT NOT NULL,
    slot         TEXT NOT NULL,
    instance     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    outcome      TEXT CHECK (outcome IN ('ok', 'failed')),
    detail       TEXT
);
CREATE UNIQUE INDEX job_runs_slot ON job_runs (job, slot);
