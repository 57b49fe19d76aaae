"""Reads remembered for the length of one read-only request.

Some rows are read by several helpers of one page: the plan's current period (the view, then
``as_of`` inside the scoring), the authority's SMVP (the scoring, then the page's traffic
lights). Rather than thread them through every signature, such a helper asks ``remembered``:
inside a GET or HEAD request (``RequestMemoMiddleware`` opens the memo) the first answer is
kept until the answer is sent; anywhere else — a POST, a job, a command, a test calling the
helper directly — nothing is kept and the helper reads as before.

Only safe requests remember, since they write nothing: what was read stays true until the
answer. A memo is a context variable, so each request (and thread) has its own and nothing
lives past the request.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("traguardo_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[dict]:
    """Remember reads until the block ends (one request)."""
    memo: dict = {}
    token = _memo.set(memo)
    try:
        yield memo
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per key inside a ``request_memo`` block; each time outside one."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
