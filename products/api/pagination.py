"""Links for keyset pages: the same URL with only the cursor parameter changed."""

from __future__ import annotations

from rest_framework.utils.urls import replace_query_param


def page_link(request, param: str, value) -> str | None:
    if value is None:
        return None
    return replace_query_param(request.build_absolute_uri(), param, value)
