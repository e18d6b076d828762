"""What an archive says of itself, as methods `store.Archive` inherits: its own id, and what is
wrong with it when someone broke it by hand. Neither ever writes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError, LockedError
from .storage import check
from .storage.check import META


class Identified:
    """The archive's id and damage (`store.Archive` provides these attributes)."""

    path: Path

    if TYPE_CHECKING:

        def _tables(self) -> dict[str, dict[str, Any]]: ...

    def stable_id(self) -> str:
        """The archive's own UUID (hex), for ids that must stay the same across exports (Atom).

        Never writes. New archives get one at creation (`meta.uid`). An archive made before that
        has none until its next write stamps it: until then, and for good if it is never written,
        the id is derived from the archive's path, and the stamp is that same id, so it never
        changes (`_path_uid`).
        """
        uid = self._tables().get(META, {}).get("1", {}).get("uid")
        if isinstance(uid, str) and uid:
            return uid
        return self._path_uid()

    def _path_uid(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_URL, self.path.resolve().as_uri()).hex

    def damage(self) -> str | None:
        """What is wrong with this archive, if someone broke it by hand (a bulletin that breaks the
        store's rules, a file that is not an archive), as one sentence; None when it is sound.

        Thorough, so not run on every load: for after a command failed unexpectedly, to tell a
        damaged archive from a bug. Reads the file anew; the history tables too (`history_check`)."""
        found = check.find_damage(self.path)
        if found is not None:
            return found
        from .history_check import history_damage

        try:
            return history_damage(check.load_archive_file(self.path) or {}, self.path)
        except LockedError:  # encrypted and closed: nothing to say about its history
            return None
        except ArchiveError as exc:
            return exc.message
