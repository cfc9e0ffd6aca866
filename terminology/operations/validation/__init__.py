"""The parts of ``$validate-code``, each one decision: the system (unknown, or inferred), the concept
in its code system, the value set's verdict, and the answer that puts the codings' checks together.
The version a coding is checked in is chosen by :mod:`..code_versions`; the entry point is
:func:`terminology.operations.validate_code.validate_code`."""

__all__: list[str] = []
