"""CSV import pages: upload and check, preview the problems, choose, then watch it apply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from products.imports import access, jobs
from products.imports.models import ApplyMode, ImportJob, ImportState
from products.imports.parsing import FileProblem
from products.web.exports import csv_response
from products.web.import_forms import ApplyForm, UploadForm
from products.web.import_report import issue_lines, with_found_values
from products.web.views.common import login_required, vary_on_htmx, wants_fragment
from products.write import errors

PREVIEW_ISSUES = 100
RECENT_IMPORTS = 15


def _require_any_import(user) -> list[str]:
    kinds = access.allowed_kinds(user)
    if not kinds:
        raise PermissionDenied("You do not have permission to import files.")
    return kinds


def _job_for(user, job_id) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id)
    if not access.may_import(job.kind, user):
        raise PermissionDenied("You do not have permission to see this import.")
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    """The upload form (POST checks the file and opens its preview) and the latest imports."""
    kinds = _require_any_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = jobs.check_upload(
                    kind=form.cleaned_data["kind"], filename=upload.name, content=upload.read(), user=request.user
                )
            except FileProblem as exc:
                form.add_error("file", str(exc))
            except errors.PermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                return redirect("import_detail", job.pk)
    recent = ImportJob.objects.defer("content").filter(kind__in=kinds)[:RECENT_IMPORTS]
    return render(request, "imports/list.html", {"form": form, "recent": recent}, status=status)


@login_required
@require_GET
def import_detail(request, job_id):
    """Preview before a choice; progress while applying (htmx polls the #status fragment); report after."""
    job = _job_for(request.user, job_id)
    context = {
        "job": job,
        "issues": [] if job.active else with_found_values(job, jobs.issues(job, limit=PREVIEW_ISSUES)),
        "shown_issues": PREVIEW_ISSUES,
        "ApplyMode": ApplyMode,
        "ImportState": ImportState,
    }
    if wants_fragment(request):
        return vary_on_htmx(render(request, "imports/detail.html#status", context))
    if job.state == ImportState.READY:
        context["header"], context["sample"] = jobs.sample_rows(job)
        context["earlier"] = jobs.earlier_upload(job)
    return vary_on_htmx(render(request, "imports/detail.html", context))


@login_required
@require_POST
def import_apply(request, job_id):
    job = _job_for(request.user, job_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to apply every row or only the valid ones.")
        return redirect("import_detail", job.pk)
    try:
        job = jobs.queue_apply(job.pk, mode=form.cleaned_data["mode"], user=request.user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except jobs.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("import_detail", job.pk)
    count = job.rows_to_apply
    messages.success(request, f"Applying {count:,} row{'s' if count != 1 else ''} of {job.filename} in the background.")
    return redirect("import_detail", job.pk)


@login_required
@require_POST
def import_discard(request, job_id):
    job = _job_for(request.user, job_id)
    try:
        jobs.discard(job.pk, user=request.user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except jobs.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("import_detail", job.pk)
    messages.info(request, f"Discarded {job.filename}; nothing was applied. Fix the file and upload it again.")
    return redirect("import_list")


@login_required
@require_GET
def import_issues_csv(request, job_id):
    job = _job_for(request.user, job_id)
    job = ImportJob.objects.get(pk=job.pk)  # with its content, to quote each row as uploaded
    stem = job.filename.rsplit(".", 1)[0][:80] or "import"
    return csv_response(issue_lines(job), f"{stem}-problems.csv")
