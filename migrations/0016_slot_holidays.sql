-- A weekly slot may follow the public holidays: 'weekday' (holidays change nothing),
-- 'also' (the weekday and every public holiday: "dimanches et jours fériés"), 'only'
-- (public holidays only, the weekday unused), 'except' (the weekday unless a holiday).
ALTER TABLE duty_slots ADD COLUMN holidays TEXT NOT NULL DEFAULT 'weekday'
    CHECK (holidays IN ('weekday', 'also', 'only', 'except'));
