"""Background work over the API: submitted commands (202 + status URL) and CSV imports.

A command endpoint runs its command now, unless the caller asks for it to be queued with
`?async=1` or `Prefer: respond-async` (RFC 7240): then it answers 202 at once with
`Location: /api/commands/<command_id>/`, and GET on that URL tells queued / running /
succeeded / failed. Idempotency-Key and permissions work exactly as for the direct call.
"""

from __future__ import annotations

import uuid

from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from products.background import tasks
from products.background.status import GetCommandStatus
from products.background.submitted import CommandState
from products.imports import access, jobs
from products.imports.models import ApplyMode, ImportJob, ImportKind, ImportState
from products.imports.parsing import TOO_BIG, FileProblem, max_file_bytes, max_file_megabytes
from products.write import bus

from ..errors import error_responses

ASYNC_VALUES = ("1", "true", "yes")
ISSUES_SHOWN = 100


def wants_async(request) -> bool:
    """`?async=1` or a `Prefer: respond-async` header asks for the command to be queued."""
    if request.query_params.get("async", "").lower() in ASYNC_VALUES:
        return True
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().lower() == "respond-async" for part in prefer.replace(";", ",").split(","))


def dispatch_or_submit(request, command) -> Response | None:
    """Run the command now (None: the view answers as usual) or queue it and answer 202."""
    if not wants_async(request):
        bus.dispatch(command, actor=request.user)
        return None
    submitted = tasks.submit(command, actor=request.user)  # where it stands, without reading it back
    location = request.build_absolute_uri(reverse("api:command", args=[submitted.command_id]))
    body = CommandStatusApi.OutputSerializer(submitted).data
    return Response(
        body, status=status.HTTP_202_ACCEPTED, headers={"Location": location, "Preference-Applied": "respond-async"}
    )


COMMAND_ID_PARAMETER = OpenApiParameter(
    "command_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The command id (the Idempotency-Key if it was a UUID).",
)


class CommandStatusApi(APIView):
    """Where a submitted command is; its caller (or staff) polls this after a 202."""

    class OutputSerializer(serializers.Serializer):
        command_id = serializers.UUIDField()
        command_type = serializers.CharField(help_text="e.g. `ReceiveStock`.")
        state = serializers.ChoiceField(choices=CommandState.values)
        attempts = serializers.IntegerField(help_text="Runs started; more than 1 after a worker died mid-run.")
        error = serializers.SerializerMethodField(
            help_text="For `failed`: the same {code, message, errors} a direct call would answer."
        )
        submitted_at = serializers.DateTimeField()
        started_at = serializers.DateTimeField(allow_null=True)
        finished_at = serializers.DateTimeField(allow_null=True)

        class Meta:
            ref_name = "CommandStatus"

        def get_error(self, status_row) -> dict | None:
            if status_row.state != "failed":
                return None
            return {
                "code": status_row.error_code,
                "message": status_row.error_message,
                "errors": status_row.field_errors,
            }

    @extend_schema(
        operation_id="commands_retrieve",
        tags=["background"],
        summary="Status of a submitted command",
        parameters=[COMMAND_ID_PARAMETER],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, command_id):
        try:
            found = GetCommandStatus(command_id=uuid.UUID(str(command_id))).execute()
        except ValueError as exc:
            raise Http404 from exc
        if found is None:
            raise Http404
        return Response(self.OutputSerializer(found).data)


class ImportOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    encoding = serializers.CharField()
    notices = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField(help_text=", ".join(ImportState.values))
    total_rows = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    applied_rows = serializers.IntegerField()
    skipped_rows = serializers.IntegerField()
    failed_rows = serializers.IntegerField()
    error_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    problems = serializers.SerializerMethodField(
        help_text=(
            f"The first {ISSUES_SHOWN}: row, column, message, phase. `null` when the upload or apply was saved but "
            "the database went away before its problems could be read: GET the Location for them."
        )
    )

    class Meta:
        ref_name = "Import"

    def get_problems(self, job) -> list[dict] | None:
        if self.context.get("problems_unread"):
            return None
        return [
            {"row": i.row_number, "column": i.column, "message": i.message, "phase": i.phase}
            for i in jobs.issues(job, limit=ISSUES_SHOWN)
        ]


def _job_or_404(user, job_id) -> ImportJob:
    try:
        job = ImportJob.objects.defer("content").filter(pk=uuid.UUID(str(job_id))).first()
    except ValueError as exc:
        raise Http404 from exc
    if job is None:
        raise Http404
    access.ensure_may_import(job.kind, user)
    return job


def _import_response(request, job, code) -> Response:
    """The job as saved; if reading its problems fails after the commit, it is still the success it was."""
    location = request.build_absolute_uri(reverse("api:import", args=[job.pk]))
    try:
        body = ImportOutputSerializer(job).data
    except (OperationalError, InterfaceError):
        body = ImportOutputSerializer(job, context={"problems_unread": True}).data
    return Response(body, status=code, headers={"Location": location})


class ImportCreateApi(APIView):
    """Upload a CSV file: it is checked at once and nothing is applied until you POST .../apply/."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ImportKind.choices)
        file = serializers.FileField(help_text=f"CSV, at most {max_file_megabytes()} MB.")

        class Meta:
            ref_name = "ImportUpload"

    @extend_schema(
        operation_id="imports_create",
        tags=["background"],
        summary="Upload and check a CSV import",
        request={"multipart/form-data": InputSerializer},
        responses={201: ImportOutputSerializer, **error_responses(400, 401, 403, 415)},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind, upload = serializer.validated_data["kind"], serializer.validated_data["file"]
        access.ensure_may_import(kind, request.user)
        if upload.size > max_file_bytes():
            raise ValidationError({"file": [TOO_BIG.format(megabytes=max_file_megabytes())]})
        try:
            job = jobs.check_upload(kind=kind, filename=upload.name, content=upload.read(), user=request.user)
        except FileProblem as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return _import_response(request, job, status.HTTP_201_CREATED)


class ImportDetailApi(APIView):
    @extend_schema(
        operation_id="imports_retrieve",
        tags=["background"],
        summary="An import's check, progress and report",
        responses={200: ImportOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, job_id):
        return Response(ImportOutputSerializer(_job_or_404(request.user, job_id)).data)


class ImportApplyApi(APIView):
    parser_classes = [JSONParser, FormParser]

    class InputSerializer(serializers.Serializer):
        mode = serializers.ChoiceField(
            choices=ApplyMode.choices,
            help_text="`all` (refused while any row has problems) or `valid` (skip the rows with problems).",
        )

        class Meta:
            ref_name = "ImportApply"

    @extend_schema(
        operation_id="imports_apply",
        tags=["background"],
        summary="Apply a checked import in the background",
        request=InputSerializer,
        responses={
            202: OpenApiResponse(ImportOutputSerializer, description="Queued; poll the Location for progress."),
            **error_responses(400, 401, 403, 404, 409, conflicts="`import_refused`"),
        },
    )
    def post(self, request, job_id):
        job = _job_or_404(request.user, job_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = jobs.queue_apply(job.pk, mode=serializer.validated_data["mode"], user=request.user)
        return _import_response(request, job, status.HTTP_202_ACCEPTED)
