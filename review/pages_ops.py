"""Operations pages: recent runs and recent failures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.run_queries import recent_failures, recent_runs
from review.auth import DbSession, PageVisitor
from review.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/runs")
def runs(request: Request, found: PageVisitor, session: DbSession) -> Response:
    return render(request, "runs.html", {"visitor": found, "runs": recent_runs(session, 50)})


@router.get("/failures")
def failures(request: Request, found: PageVisitor, session: DbSession) -> Response:
    rows = recent_failures(session, limit=200)
    return render(request, "failures.html", {"visitor": found, "failures": rows})
