"""The duty rota: phrases, calendar, holidays, repository, chat."""
