"""Several practices per deployment (issue 10): which practices exist, who belongs to which."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from pipeline.service.api import Admin, Anyone, ServicesDep
from pipeline.service.auth import UnknownUser

router = APIRouter(tags=["practices"])


class PracticeOut(BaseModel):
    id: str
    name: str
    numbers: list[str]
    """E.164 numbers callers dial to reach it."""
    default: bool = False
    """The practice of calls to any other number, and the agenda shown when none is named."""


class MembershipIn(BaseModel):
    practices: list[str] = Field(max_length=500)
    """Empty: the user sees every practice (like an administrator)."""


class MembershipOut(BaseModel):
    username: str
    practices: list[str]


@router.get("/api/practices")
async def practices(services: ServicesDep, user: Anyone) -> list[PracticeOut]:
    """The practices of this deployment the user belongs to (all of them for a user given
    none); empty for a single-practice deployment."""
    directory = services.practices
    if directory is None:
        return []
    default = directory.default or next(iter(directory.configs), None)
    return [PracticeOut(id=pid, name=config.name,
                        numbers=sorted(n for n, p in directory.numbers.items() if p == pid),
                        default=pid == default)
            for pid, config in directory.configs.items() if user.sees(pid)]


@router.put("/api/users/{username}/practices")
async def set_practices(username: str, body: MembershipIn, services: ServicesDep,
                        user: Admin) -> MembershipOut:
    """The practices a user belongs to; applies to their next request and push (audited)."""
    known = set(services.practices.configs) if services.practices is not None else set()
    unknown = sorted(set(body.practices) - known)
    if unknown:
        raise HTTPException(422, f"unknown practice(s) {', '.join(unknown)}: expected ids "
                                 "from the practices file (GET /api/practices)")
    try:
        await asyncio.to_thread(services.auth.set_practices, username,
                                frozenset(body.practices), actor=user.username)
    except UnknownUser:
        raise HTTPException(404, f"no user {username!r}") from None
    return MembershipOut(username=username, practices=sorted(set(body.practices)))


@router.get("/api/practices/{practice_id}/roster")
async def practice_roster(practice_id: str, services: ServicesDep,
                          user: Anyone) -> dict[str, object]:
    """One practice's hours, roster and who is on call now (`/api/roster` is the default
    practice's); 404 for a practice the user does not belong to."""
    directory = services.practices
    if directory is None or practice_id not in directory.configs or not user.sees(practice_id):
        raise HTTPException(404, f"no practice {practice_id!r}")
    return dict(directory.configs[practice_id].to_dict(services.hub.clock()))
