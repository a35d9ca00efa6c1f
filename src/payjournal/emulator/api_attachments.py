"""``/v2`` routes for attachments and their links to vouchers."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from payjournal.emulator import errors, resources
from payjournal.emulator.api_setup import not_found, path_uuid
from payjournal.emulator.errors import ApiError, FieldError, validation_error
from payjournal.emulator.listing import page
from payjournal.emulator.model import Attachment
from payjournal.emulator.pipeline import (
    ACCOUNTING_READ,
    ATTACH_WRITE,
    ApiContext,
    api_route,
    json_response,
)

CONTENT_TYPES = ("image/jpeg", "image/png", "image/tiff", "application/pdf")
ATTACH_READ = ACCOUNTING_READ | {"ea:purchase", "ea:purchase_readonly"}
VOUCHER_DOCUMENT = 3


def _url(ctx: ApiContext, attachment: Attachment) -> str | None:
    if not attachment.data:
        return attachment.url
    return str(ctx.request.url_for("attachment_content", id=str(attachment.id)))


def _check_upload(body: Any) -> list[FieldError]:
    if not isinstance(body, dict):
        return [FieldError("body", "a JSON object is required")]
    problems: list[FieldError] = []
    if body.get("ContentType") not in CONTENT_TYPES:
        problems.append(FieldError("ContentType", f"one of {', '.join(CONTENT_TYPES)}"))
    if not isinstance(body.get("FileName"), str) or not body["FileName"]:
        problems.append(FieldError("FileName", "required"))
    data, url = body.get("Data"), body.get("Url")
    if data is None and url is None:
        problems.append(FieldError("Data", "Data (base64) or Url is required"))
    if data is not None:
        try:
            base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError):
            problems.append(FieldError("Data", "must be a Base64 encoded byte array"))
    return problems


async def upload(ctx: ApiContext) -> Response:
    """POST /v2/attachments → 201 ``AttachmentResultApi`` (unmatched)."""
    body = await ctx.body()
    problems = _check_upload(body)
    if problems:
        raise validation_error(problems)
    attachment_id = ctx.emulator.ids.new()
    if body.get("Id"):
        try:
            attachment_id = UUID(str(body["Id"]))
        except ValueError:
            raise validation_error([FieldError("Id", "not a GUID")]) from None
    attachment = Attachment(
        attachment_id,
        body["ContentType"],
        body["FileName"],
        body.get("Data"),
        body.get("Url"),
        uploaded_by=ctx.user.email,
        image_date=ctx.now,
    )
    ctx.company.attachments[attachment.id] = attachment
    ctx.emulator.changed()
    return json_response(resources.attachment(attachment, _url(ctx, attachment)), 201)


async def list_attachments(ctx: ApiContext) -> Response:
    """GET /v2/attachments (``includeMatched``, ``includeTemporaryUrl``)."""
    matched = ctx.flag("includeMatched", True)
    with_url = ctx.flag("includeTemporaryUrl", True)
    items = [
        resources.attachment(a, _url(ctx, a) if with_url else None)
        for a in ctx.company.attachments.values()
        if matched or a.document_id is None
    ]
    return json_response(page(ctx.request, items, ctx.emulator.config, ctx.now))


async def get_attachment(ctx: ApiContext) -> Response:
    """GET /v2/attachments/{attachmentId}."""
    attachment_id = path_uuid(ctx, "attachmentId", "attachmentId")
    attachment = ctx.company.attachments.get(attachment_id)
    if attachment is None:
        raise not_found("attachmentId", attachment_id)
    return json_response(resources.attachment(attachment, _url(ctx, attachment)))


async def link(ctx: ApiContext) -> Response:
    """POST /v2/attachmentlinks: attach uploaded documents to a voucher (DocumentType 3)."""
    body = await ctx.body()
    if not isinstance(body, dict) or not isinstance(body.get("AttachmentIds"), list):
        raise validation_error([FieldError("AttachmentIds", "required list of GUIDs")])
    if body.get("DocumentType") != VOUCHER_DOCUMENT:
        raise validation_error([FieldError("DocumentType", "the emulator links vouchers (3)")])
    try:
        document_id = UUID(str(body.get("DocumentId")))
        ids = [UUID(str(value)) for value in body["AttachmentIds"]]
    except ValueError:
        raise validation_error([FieldError("AttachmentIds", "GUIDs required")]) from None
    voucher = ctx.company.vouchers.get(document_id)
    if voucher is None:
        raise ApiError(
            400,
            errors.RESOURCE_NOT_FOUND,
            f"ResourceNotFound - voucher {document_id} does not exist",
        )
    for attachment_id in ids:
        if attachment_id not in ctx.company.attachments:
            raise ApiError(
                400,
                errors.RESOURCE_NOT_FOUND,
                f"ResourceNotFound - attachment {attachment_id} does not exist",
            )
    for attachment_id in ids:
        attachment = ctx.company.attachments[attachment_id]
        attachment.document_id, attachment.document_type = voucher.id, VOUCHER_DOCUMENT
        if attachment_id not in voucher.attachment_ids:
            voucher.attachment_ids.append(attachment_id)
    ctx.emulator.changed()
    return json_response(
        {
            "DocumentId": str(voucher.id),
            "DocumentType": VOUCHER_DOCUMENT,
            "AttachmentIds": [str(i) for i in ids],
        }
    )


ROUTES: list[Route] = [
    api_route("POST", "/v2/attachments", ATTACH_WRITE, upload),
    api_route("GET", "/v2/attachments", ATTACH_READ, list_attachments),
    api_route("GET", "/v2/attachments/{attachmentId}", ATTACH_READ, get_attachment),
    api_route("POST", "/v2/attachmentlinks", ATTACH_WRITE, link),
]
