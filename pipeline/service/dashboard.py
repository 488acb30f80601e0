"""Dashboard pages: plain HTML/JS/CSS served by the same app (no front-end build, no CDN).
Pages are public shells; all data comes from the authorized API and push websocket."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

STATIC = Path(__file__).with_name("static")
router = APIRouter(include_in_schema=False)
_NO_CACHE = {"Cache-Control": "no-store"}


@router.get("/")
async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=_NO_CACHE)


@router.get("/reports")
async def reports_page() -> FileResponse:
    return FileResponse(STATIC / "reports.html", headers=_NO_CACHE)


@router.get("/docs")
async def api_docs() -> FileResponse:
    return FileResponse(STATIC / "api-docs.html", headers=_NO_CACHE)


@router.get("/login")
async def login_page() -> RedirectResponse:
    return RedirectResponse("/")
