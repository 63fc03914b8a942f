-- no-transaction
-- Roles are named bundles of permissions. The built-in ones (member, partnerships, community
-- success, finance, people, admin) are defined by Bearing itself; an admin may define others,
-- kept here with their permissions as comma-separated names. A user holds a role by its
-- name, so `users.role` no longer lists the names it accepts (the application checks them).
-- SQLite cannot drop a CHECK constraint, so `users` is rebuilt the documented way: with
-- foreign keys off, outside any other transaction, in one transaction of its own.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE access_roles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    description  TEXT,
    permissions  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX access_roles_name ON access_roles (name);
CREATE TABLE users_rebuilt (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT NOT NULL,
    name              TEXT NOT NULL,
    role              TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    failed_sign_ins   INTEGER NOT NULL DEFAULT 0,
    locked_until      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    disabled_at       TEXT
);
INSERT INTO users_rebuilt (id, email, name, role, password_hash, failed_sign_ins, locked_until,
                           created_at, updated_at, disabled_at)
SELECT id, email, name, role, password_hash, failed_sign_ins, locked_until,
       created_at, updated_at, disabled_at
FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE UNIQUE INDEX users_email ON users (email);
COMMIT;
PRAGMA foreign_keys = ON;
