"""Territorial alerts: phrases, schedule, state table, repositories, services, chat."""
