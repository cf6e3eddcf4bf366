"""What the CLI commands share: a database session and clear failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from surveys import DomainError
from surveys.db import session_scope

from ..db import session_factory


@contextmanager
def cli_session() -> Iterator[Session]:
    """Yield a session committed at the end; a DomainError becomes a clean CLI error."""
    try:
        with session_scope(session_factory()) as session:
            yield session
    except DomainError as error:
        where = f" ({error.field})" if error.field else ""
        raise click.ClickException(f"{error.message}{where}") from error
