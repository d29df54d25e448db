-- H4: a sign-in attempt is recorded before its password is checked, as pending; a failed
-- check settles it, a successful one removes the pair's rows. A request that would be
-- refused only because of attempts still being checked waits for them instead (parallel
-- sign-ins with the right password all succeed; parallel guesses still stop at the limit).
ALTER TABLE throttle_events ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
