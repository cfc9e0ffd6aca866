"""What the tests read of the project's Containerfile: its instructions, stage by stage, as a build reads them."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONTAINERFILE", "Instruction", "Stage", "stages"]

CONTAINERFILE = Path(__file__).resolve().parents[2] / "Containerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, ENV, ...
    arguments: str  # as written, continuation lines joined

    def exec_form(self) -> list[str]:
        """The command of an exec-form ``CMD``, ``RUN`` or ``HEALTHCHECK ... CMD [...]`` (a JSON array)."""
        return json.loads(self.arguments[self.arguments.index("[") :])

    def words(self) -> list[str]:
        """The arguments split as a shell splits them."""
        return shlex.split(self.arguments)


@dataclass(frozen=True)
class Stage:
    base: str  # the image of its FROM
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        """Its instructions of ``keyword``, in order."""
        return [instruction for instruction in self.instructions if instruction.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        """Its one instruction of ``keyword`` (the test fails if there are none or several)."""
        [instruction] = self.all(keyword)
        return instruction

    def environment(self) -> dict[str, str]:
        """Its ``ENV`` settings, in order (values as written: ``$PATH`` unexpanded)."""
        pairs = (word.split("=", 1) for instruction in self.all("ENV") for word in instruction.words())
        return dict(pairs)


def stages(path: Path = CONTAINERFILE) -> list[Stage]:
    """The stages of the Containerfile at ``path``, first to last (the last is the image), with the ``ARG``
    defaults given before the first ``FROM`` put into the stages' bases."""
    arguments: dict[str, str] = {}
    found: list[tuple[str, list[Instruction]]] = []
    for instruction in _instructions(path.read_text()):
        if instruction.keyword == "ARG" and not found:
            name, _, default = instruction.arguments.partition("=")
            arguments[name.strip()] = default.strip()
        elif instruction.keyword == "FROM":
            base = instruction.words()[0]
            for name, value in arguments.items():
                base = base.replace("${" + name + "}", value)
            found.append((base, []))
        else:
            found[-1][1].append(instruction)
    return [Stage(base, tuple(instructions)) for base, instructions in found]


def _instructions(text: str) -> list[Instruction]:
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    return [Instruction(keyword.upper(), rest.strip()) for keyword, _, rest in (line.partition(" ") for line in logical)]
