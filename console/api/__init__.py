"""The officials' JSON API under `/api/v1`: one router, included by the server with one line."""

from __future__ import annotations

from fastapi import APIRouter

from console.api import (
    account,
    audit,
    broadcasts,
    decisions,
    officials,
    questions,
    registrations,
    stats,
)

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(registrations.router)
api_router.include_router(decisions.router)
api_router.include_router(stats.router)
api_router.include_router(audit.router)
api_router.include_router(questions.router)
api_router.include_router(broadcasts.router)
api_router.include_router(account.router)
api_router.include_router(officials.router)

__all__ = ["api_router"]
