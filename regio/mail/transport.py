"""Where mail goes: an SMTP server (`smtp://`, `smtp+starttls://`, `smtps://`) or a folder.

Errors come out as two kinds: `TransientError` (4xx, timeouts, refused or dropped
connections: try again later) and `PermanentError` (5xx: this message will never go).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit


class TransientError(Exception):
    """Try again later. `connection_lost`: the rest of the batch cannot go either."""

    def __init__(self, message: str, *, connection_lost: bool = False) -> None:
        super().__init__(message)
        self.connection_lost = connection_lost


class PermanentError(Exception):
    """The server refused this message for good (5xx)."""


def _classify(code: int, text: str) -> Exception:
    message = f"{code} {text}"
    return PermanentError(message) if 500 <= code < 600 else TransientError(message)


class _Pending:
    """A job to run once: while the server works on a command, or at the latest afterwards."""

    def __init__(self, job) -> None:
        self.job = job

    def __call__(self) -> None:
        job, self.job = self.job, None
        if job is not None:
            job()


class _Overlapping:
    """smtplib.SMTP that runs `pending` while it waits for the server's next reply."""

    pending: _Pending | None = None

    def getreply(self):
        pending, self.pending = self.pending, None
        if pending is not None:
            pending()
        return super().getreply()


class _SMTP(_Overlapping, smtplib.SMTP):
    pass


class _SMTPSSL(_Overlapping, smtplib.SMTP_SSL):
    pass


class SMTPTransport:
    """One connection, opened on the first message and reused until `close`."""

    def __init__(self, url: str, *, timeout: float) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        if self.scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise ValueError(f"MAIL_URL scheme {self.scheme!r} is not supported")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            connection = _SMTPSSL(self.host, self.port, timeout=self.timeout,
                                  context=ssl.create_default_context())
        else:
            connection = _SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.scheme == "smtp+starttls":
                connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, sender: str, recipient: str, data: bytes, name: str,
             meanwhile=None) -> None:
        """Send one message; `meanwhile` runs before the server can have accepted it.

        The sender passes the previous message's "sent" mark as `meanwhile`: it is committed
        while the server reads MAIL FROM, and always before this message's DATA is accepted,
        so at most one accepted message is ever unmarked.
        """
        pending = _Pending(meanwhile)
        try:
            if self.connection is None:
                self.connection = self._open()
            self.connection.pending = pending
            self.connection.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _classify(code, text.decode(errors="replace")) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise _classify(error.smtp_code, _text(error.smtp_error)) from error
        except UnicodeEncodeError as error:
            # An address smtplib cannot write: the message fails, the connection may be
            # half-way through a transaction, so it is closed.
            self.close()
            raise PermanentError(f"address_not_ascii: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            # Dropped or refused connection, timeout, failed greeting/TLS/login: nothing is
            # wrong with the message itself, so it is retried.
            self.close()
            raise TransientError(f"{type(error).__name__}: {error}",
                                 connection_lost=True) from error
        except BaseException:
            # `meanwhile` failed between a command and its reply: the connection is unusable.
            connection, self.connection = self.connection, None
            if connection is not None:
                connection.close()
            raise
        finally:
            pending()

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class FileTransport:
    """Writes each message to DIR/<name>.eml (atomically: a temp file, then rename)."""

    def __init__(self, url: str) -> None:
        self.folder = Path(unquote(urlsplit(url).path))

    def send(self, sender: str, recipient: str, data: bytes, name: str,
             meanwhile=None) -> None:
        if meanwhile is not None:
            meanwhile()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, self.folder / f"{name}.eml")
        except OSError as error:
            raise TransientError(f"{type(error).__name__}: {error}",
                                 connection_lost=True) from error

    def close(self) -> None:
        pass


def open_transport(url: str, *, timeout: float):
    if url.startswith("file://"):
        return FileTransport(url)
    return SMTPTransport(url, timeout=timeout)
