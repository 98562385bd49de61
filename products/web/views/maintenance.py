"""Maintenance page for managers: the projectors' lag (retry or skip a stopped one), and rebuilding the
lists and totals on the worker after a confirmation step."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from products.background.maintenance import REBUILD_REFUSED, may_rebuild, request_rebuild
from products.background.rebuilds import RebuildRun
from products.read.checkpoints import ProjectorIntervention, intervene
from products.read.projectors import PROJECTORS
from products.read.projectors.health import projector_lags
from products.web.views.common import login_required, vary_on_htmx, wants_fragment

REBUILD_STARTED = "Rebuild started. Lists and stock changes wait until it has finished; its progress is below."
CONFIRM_FIRST = "Nothing was started: confirm the rebuild first."
RETRIED = "The {title} will try event #{position} again."
SKIPPED = "The {title} stepped over event #{position}; rebuild the lists and totals to bring it back."
NOT_STOPPED = "The {title} was not stopped: nothing to do."
# What a manager reads for each projector (the names are the code's).
PROJECTOR_TITLES = {"ledger": "movements ledger", "levels": "stock per location"}


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
    context = {
        "run": runs[0] if runs else None,
        "history": runs[1:],
        "confirming": confirming,
        "problem": problem,
        "projectors": [(PROJECTOR_TITLES.get(lag.name, lag.name), lag) for lag in projector_lags(list(PROJECTORS))],
        "interventions": ProjectorIntervention.objects.all()[:5],
    }
    template = "maintenance/rebuild.html#status" if wants_fragment(request) else "maintenance/rebuild.html"
    return vary_on_htmx(render(request, template, context, status=status))


@login_required
@require_POST
def projector_action(request, name: str, action: str):
    """Retry or skip the event a projector stopped at (recorded with who did it)."""
    if not may_rebuild(request.user):
        raise PermissionDenied(REBUILD_REFUSED)
    if name not in PROJECTORS or action not in ProjectorIntervention.Action.values:
        raise Http404("No such projector or action.")
    title = PROJECTOR_TITLES.get(name, name)
    done = intervene(name, action, actor=request.user.get_username())
    if done is None:
        messages.info(request, NOT_STOPPED.format(title=title))
    else:
        said = RETRIED if action == ProjectorIntervention.Action.RETRY else SKIPPED
        messages.success(request, said.format(title=title, position=done.position))
    return redirect("maintenance")
