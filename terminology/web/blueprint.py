"""The Flask blueprint: hands every request below the FHIR base to the HTTP layer's :class:`Dispatcher`.

Requests pass through the host app's own hooks (authentication, logging) as any view's would.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..http.messages import HttpRequest
from ..http.wsgi import ANSWER_KEY, REQUEST_ID_KEY

__all__ = ["EXTENSION_KEY", "create_blueprint"]

EXTENSION_KEY = "terminology"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("terminology", __name__)
    blueprint.add_url_rule("/", defaults={"path": ""}, view_func=fhir_api, methods=_METHODS)
    blueprint.add_url_rule("/<path:path>", view_func=fhir_api, methods=_METHODS)
    return blueprint


def fhir_api(path: str) -> Response:
    state = current_app.extensions[EXTENSION_KEY]
    asked = HttpRequest(
        method=request.method,
        path="/" + path,
        query=list(request.args.items(multi=True)),
        headers=request.headers,  # werkzeug looks headers up case-insensitively
        body=request.stream.read,
        base_url=request.root_url.rstrip("/") + state.url_prefix,  # root_url keeps the host's SCRIPT_NAME
        content_length=request.content_length,
        request_id=request.environ.get(REQUEST_ID_KEY, ""),  # (set when the host wraps its app in the Gateway)
    )
    answer = state.dispatcher.handle(asked)
    request.environ[ANSWER_KEY] = (asked.operation, answer)  # (for the Gateway's log and metrics, when there is one)
    return Response(answer.body, status=answer.status, content_type=answer.content_type, headers=list(answer.headers))
