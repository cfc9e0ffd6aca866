"""Codes by the hundred thousand: a file of codes read as rows (:mod:`.table`), each distinct query answered
once (:mod:`.queries`) by the embedded content (:mod:`.embedded`) or a server, and a report of every row,
in order (:mod:`.report`): validations (:mod:`.validation`, :mod:`.summary`) or lookups (:mod:`.metadata`).

Nothing is imported here: the command line imports what it uses, and the embedded content only when it
answers (it loads the releases)."""

__all__: list[str] = []
