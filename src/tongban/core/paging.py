"""Pagination for a person's own lists (我的办件, the inbox, the licence wallet).

Django's Paginator counts the rows (SELECT COUNT) before it reads a page. Most people have fewer
cases, messages or licences than fit on one page, and then the first page's rows are the count:
reading them first saves a query on the most visited signed-in pages. A first page that comes back
full is counted as before, so "page 1 of N" stays true for people with many rows.
"""

from functools import cached_property

from django.core.paginator import Paginator


class ShortListPaginator(Paginator):
    _first_rows: list | None = None

    def get_page(self, number):
        if number in (None, "", "1", 1):
            self._first_rows = list(self.object_list[: self.per_page])
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        if self._first_rows is not None and len(self._first_rows) < self.per_page:
            return len(self._first_rows)
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        if number == 1 and self._first_rows is not None:
            return self._get_page(self._first_rows, number, self)
        return super().page(number)
