"""Typed FastAPI dependencies: the services, the official behind a bearer token, their scope.

Routes take `CurrentOfficial`, `AdminOfficial` or `ScopedRegistration` and stay a few lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from console.services import ConsoleServices
from storage.models import Official, Registration
from storage.repos.review import Review
from storage.repos.scope import RegionScope

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token printed by `lindungi officials add` (its last line).",
)


@dataclass(frozen=True)
class Actor:
    """The official making a request, without their secrets."""

    id: int
    username: str
    name: str
    role: str
    region: str | None

    @classmethod
    def of(cls, official: Official) -> Actor:
        assert official.id is not None
        return cls(official.id, official.username, official.name, official.role, official.region)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def audit_name(self) -> str:
        return f"official:{self.id}"

    @property
    def scope(self) -> RegionScope:
        """Admins reach every region; a reviewer only their region's code and below."""
        return RegionScope.everything() if self.is_admin else RegionScope.within(self.region)


def get_services(request: Request) -> ConsoleServices:
    services: ConsoleServices = request.app.state.services
    return services


ServicesDep = Annotated[ConsoleServices, Depends(get_services)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_official(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise _unauthorized("Give an API token: 'Authorization: Bearer <token>'.")
    owner = await services.officials.authenticate(credentials.credentials)
    if owner is None:
        raise _unauthorized(
            "This API token is not valid (unknown, expired, revoked, or its owner left)."
        )
    if owner.read_only and request.method not in _READS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This API token may only read.")
    return Actor.of(owner.official)


CurrentOfficial = Annotated[Actor, Depends(current_official)]


def require_admin(official: CurrentOfficial) -> Actor:
    if not official.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an admin may do this.")
    return official


AdminOfficial = Annotated[Actor, Depends(require_admin)]


def get_review(services: ServicesDep) -> Review:
    return Review(services.db, services.cipher)


ReviewDep = Annotated[Review, Depends(get_review)]

NOT_FOUND = "No registration has this id."
"""The refusal of a registration id that does not exist or lies outside the official's region."""


async def registration_in_scope(
    registration_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The registration's id.")],
    official: CurrentOfficial,
    review: ReviewDep,
) -> Registration:
    """The registration, if the official may see it; else 404, the same for one out of their
    region as for an id that does not exist (no answer tells which ids exist)."""
    row = await review.get(registration_id)
    if row is None or not official.scope.allows(row):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return row


ScopedRegistration = Annotated[Registration, Depends(registration_in_scope)]
