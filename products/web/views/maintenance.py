"""Maintenance page for managers: rebuild the read models on the worker and watch its progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from products.background.maintenance import REBUILD_REFUSED, may_rebuild, request_rebuild
from products.background.rebuilds import RebuildRun
from products.web.views.common import login_required, vary_on_htmx, wants_fragment


@login_required
@require_http_methods(["GET", "POST"])
def maintenance(request):
    if not may_rebuild(request.user):
        raise PermissionDenied(REBUILD_REFUSED)
    if request.method == "POST":
        request_rebuild(user=request.user)
        messages.success(request, "Rebuild queued. While it runs, lists and commands wait for it to finish.")
        return redirect("maintenance")
    runs = list(RebuildRun.objects.all()[:5])
    context = {"run": runs[0] if runs else None, "history": runs[1:]}
    template = "maintenance/rebuild.html#status" if wants_fragment(request) else "maintenance/rebuild.html"
    return vary_on_htmx(render(request, template, context))
