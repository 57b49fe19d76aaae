from typing import Any, Self, TypeVar

from django.db import models

_T = TypeVar("_T", bound=models.Model)

# Stub-only name (as typeshed's `_typeshed`): at run time the class is built inside
# ScopedManager(), where the Django plugin cannot look it up. Import it under TYPE_CHECKING.
class _ScopedManager(models.Manager[_T]):
    def with_scope(self, **scope: Any) -> Self: ...
    def with_scopes_disabled(self) -> Self: ...

def ScopedManager(
    _manager_class: type[models.Manager[Any]] = ..., **scopes: str
) -> _ScopedManager[Any]: ...
