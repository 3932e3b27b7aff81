"""Alembic migrations of the Lindungi database (a package so that it ships in the wheel)."""
