"""Typed errors with codes.  The CLI prints ``error[CODE]: message`` on one line and exits 2 for
usage errors, 1 for failures; the web app maps ``http_status``."""

from __future__ import annotations


class SitroomError(Exception):
    code = "error"
    exit_code = 1
    http_status = 500


class UsageError(SitroomError):
    code = "usage"
    exit_code = 2
    http_status = 400


class ModelError(SitroomError):
    code = "model"


class StoreError(SitroomError):
    code = "store"


class NotFound(SitroomError):
    code = "not-found"
    exit_code = 1
    http_status = 404


class InputRejected(SitroomError):
    """Raised by a reader for one input; the pipeline records it in ``rejections`` and goes on."""

    code = "rejected"

    def __init__(self, reason: str, code: str = "unreadable"):
        super().__init__(reason)
        self.reason = reason
        self.code = code
