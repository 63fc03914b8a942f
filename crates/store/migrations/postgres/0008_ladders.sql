-- Roles that share salary bands: a role's ladder names the bands it is paid by. Without one,
-- a role is its own ladder (its bands are keyed by its name).
ALTER TABLE roles ADD COLUMN ladder TEXT;
