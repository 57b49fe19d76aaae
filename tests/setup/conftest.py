"""Fixtures of the setup pages: one row of every kind the setup edits, and URL helpers."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import PASSWORD, GradingScaleFactory
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
    ScoringPolicy,
)
from traguardo.planning.models import DupGoal


def login(client, user) -> None:
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)


def url(authority, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"authority": authority.slug, **kwargs})


@pytest.fixture
def rows(authority, unit_a):
    """One unit (with its head), DUP goal, ambito, SMVP level and scale of the authority."""
    with scopes_disabled():
        policy = ensure_policy(authority)
        return {
            "unit": unit_a,
            "person": unit_a.head,
            "goal": DupGoal.objects.create(
                authority=authority, level=DupGoal.Level.MANDATE, code="1", title="Ente aperto"
            ),
            "area": PerformanceArea.objects.create(
                authority=authority, number=1, name="Soddisfazione dei cittadini"
            ),
            "level": policy.levels.get(dimension="strategic", code="alta"),
            "scale": GradingScaleFactory(authority=authority, name="Ritardo standard"),
            "policy": policy,
        }


@pytest.fixture
def in_scope(authority):
    """Domain actions run inside the authority's scope, as in a view."""
    with scope(authority=authority):
        yield


def snapshot() -> dict[str, list[dict]]:
    """Every row the setup writes, to prove a refused request changed nothing."""
    with scopes_disabled():
        return {
            model.__name__: list(model.objects.order_by("pk").values())
            for model in (
                OrgUnit,
                Person,
                DupGoal,
                PerformanceArea,
                ScoringPolicy,
                PolicyLevel,
                GradingScale,
            )
        }


def text(response) -> str:
    """The visible text of a page, tags stripped and blanks collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_error(response, name: str) -> str:
    """The error shown next to a field (web/_field.html), or "" when there is none."""
    match = re.search(
        rf'<div id="id_{name}-errore"[^>]*>(.*?)</div>', response.content.decode(), flags=re.S
    )
    return unescape(match.group(1)) if match else ""


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
