"""Request tracking and the monthly figures: statistics, repositories, service, chat."""
