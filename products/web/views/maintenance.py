"""Maintenance page for managers: rebuild the lists and totals on the worker, after a confirmation step."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from products.background.maintenance import REBUILD_REFUSED, may_rebuild, request_rebuild
from products.background.rebuilds import RebuildRun
from products.web.views.common import login_required, vary_on_htmx, wants_fragment

REBUILD_STARTED = "Rebuild started. Lists and stock changes wait until it has finished; its progress is below."
CONFIRM_FIRST = "Nothing was started: confirm the rebuild first."


class RebuildConfirmation(forms.Form):
    """The second step: a rebuild starts only from the confirmation's own button (no script needed)."""

    confirm = forms.BooleanField(required=True)


@login_required
@require_http_methods(["GET", "POST"])
def maintenance(request):
    if not may_rebuild(request.user):
        raise PermissionDenied(REBUILD_REFUSED)
    confirming, problem, status = request.GET.get("confirm") == "1", None, 200
    if request.method == "POST":
        if RebuildConfirmation(request.POST).is_valid():
            request_rebuild(user=request.user)
            messages.success(request, REBUILD_STARTED)
            return redirect("maintenance")
        confirming, problem, status = True, CONFIRM_FIRST, 400
    runs = list(RebuildRun.objects.all()[:5])
    context = {"run": runs[0] if runs else None, "history": runs[1:], "confirming": confirming, "problem": problem}
    template = "maintenance/rebuild.html#status" if wants_fragment(request) else "maintenance/rebuild.html"
    return vary_on_htmx(render(request, template, context, status=status))
