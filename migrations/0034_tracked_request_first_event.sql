-- A tracked request's first outcome is its first event too: the database writes that event
-- with the request, in the same statement, instead of a second statement from the bot (a
-- round trip less on every answer's path, see docs/benchmarks.md).
CREATE TRIGGER tracked_requests_first_event AFTER INSERT ON tracked_requests
BEGIN
    INSERT INTO tracked_request_events (request_id, outcome, at)
    VALUES (NEW.id, NEW.outcome, NEW.outcome_at);
END;
