"""One page of a list: the items, the size of the whole list, and the query that fetches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matchmaker.errors import InvalidInput, Problem

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclass
class Page(Generic[T]):
    """One page of a list and the size of the whole list."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.page_size))


def paginate(db: Session, query: Select[Any], page: int, page_size: int) -> Page[Any]:
    """Run ``query`` for one page; page numbers start at 1."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(None, [Problem("error.invalid_input", column="page")])
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.scalars(query.limit(page_size).offset((page - 1) * page_size)))
    return Page(items, total, page, page_size)
