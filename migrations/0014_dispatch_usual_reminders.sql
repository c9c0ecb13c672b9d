-- Dispatch requests that name the patient's usual professional, and reminders of a
-- taken dispatch not marked done.
--
-- * usual_professional: the Matrix ID of the usual professional, asked alone first; the
--   escalation chain of such a dispatch starts with the widening to the others
--   (step_index 0 is that step). NULL: no usual professional.
-- * reminder_step: reminders sent since the dispatch was taken (0 none, 1 the taker was
--   reminded, 2 the coordination was told too). Set back to 0 when it is taken again.

ALTER TABLE dispatches ADD COLUMN usual_professional TEXT;
ALTER TABLE dispatches ADD COLUMN reminder_step INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dispatches_reminders ON dispatches (state, reminder_step);

-- Dispatches already taken before reminders existed may be old: they are not reminded.
UPDATE dispatches SET reminder_step = 2 WHERE state = 'taken';
