"""Write resources/icd10cm-guidance/package/: the coding guidance for ICD-10-CM M48.48 as a FHIR R4 package.

The source is the coding-reference page in ``../shared/seed/`` (one statement a line). Each statement
keeps the page's words; which kind of statement a line is (a documentation requirement, a clinical
scenario ...) is this script's reading of the page, written out below line by line. The page's
claim that M48.48 is billable is left out: in ICD-10-CM it needs a 7th character (A, D, G, S), and
the value sets say so through the release itself.

Every canonical url starts with :data:`CANONICAL_BASE`, the one setting to change to publish the
package elsewhere; it is written into ``package.json`` as ``canonical`` too.

Run: ``.venv/bin/python scripts/build_guidance_package.py [SEED_FILE]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["CANONICAL_BASE", "build", "main"]

#: The canonical base of every resource of the package.
CANONICAL_BASE = "http://fhir.icd10cm-terminology.org"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10CM_VERSION = "2026"
PACKAGE_NAME = "icd10cm.guidance.m4848"
PACKAGE_VERSION = "0.1.0"
DATE = "2026-11-24"
PUBLISHER = "The terminology project"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icd10cm-guidance" / "package"
DEFAULT_SEED = ROOT.parent / "shared" / "seed" / "000_e6224f6099d75ff2.txt"

# The kinds of statement: code, display, definition. They are the designation uses and property
# meanings of the guidance.
KINDS = [
    ("page-title", "Page title", "The name a coding-reference page gives the condition it is about."),
    ("clinical-description", "Clinical description",
     "What the condition is: its causes, predisposing conditions, presentation, diagnosis and management."),
    ("documentation-requirement", "Documentation requirement", "What the record should hold to support the code."),
    ("clinical-scenario", "Common clinical scenario", "A typical situation in which the code applies."),
    ("coding-consideration", "Coding or billing consideration", "What to keep in mind when coding or billing."),
    ("procedure-use", "When the related procedure is used", "The situation in which a related procedure is performed."),
    ("procedure-documentation", "What to document for the related procedure",
     "What the record should hold about a related procedure."),
    ("procedure-performer", "Who performs the related procedure", "Who usually performs a related procedure."),
    ("differential", "How the condition differs from another",
     "How the condition is told apart from a condition it can be confused with (here: an acute fracture)."),
]  # fmt: skip

# The topics a page groups its statements under: code, display, definition.
TOPICS = [
    ("the-condition", "The condition itself", "Guidance on the condition the code stands for."),
    ("underlying-conditions", "The conditions behind it", "Guidance on the underlying conditions that lead to it."),
    ("related-procedure", "A related procedure", "Guidance on a procedure performed for the condition."),
]

# The page, line by line (1-based; line 2 is the billable claim, left out): the kind of each statement,
# and the topic it is given under (None: it is about the whole code).
LINES = {
    1: ("page-title", None),
    3: ("clinical-description", None),
    # The fracture itself.
    4: ("documentation-requirement", "the-condition"),
    5: ("clinical-scenario", "the-condition"),
    6: ("coding-consideration", "the-condition"),
    # The inflammatory conditions behind it.
    7: ("documentation-requirement", "underlying-conditions"),
    8: ("clinical-scenario", "underlying-conditions"),
    9: ("coding-consideration", "underlying-conditions"),
    # A related procedure: joint injections for pain.
    10: ("procedure-use", "related-procedure"),
    11: ("procedure-documentation", "related-procedure"),
    12: ("procedure-performer", "related-procedure"),
    # How a fatigue fracture differs from an acute fracture.
    13: ("differential", None),
}
LEFT_OUT = {2: "the claim that M48.48 is billable: ICD-10-CM needs a 7th character (A, D, G, S)"}


def _url(kind: str, id: str) -> str:
    return f"{CANONICAL_BASE}/{kind}/{id}"


def _common(id: str, kind: str, name: str, title: str, description: str) -> dict[str, Any]:
    return {
        "id": id, "url": _url(kind, id), "version": PACKAGE_VERSION, "name": name, "title": title,
        "status": "active", "experimental": False, "date": DATE, "publisher": PUBLISHER, "description": description,
    }  # fmt: skip


def kind_code_system() -> dict[str, Any]:
    def grouper(code: str, display: str, definition: str, members: list[tuple[str, str, str]]) -> dict[str, Any]:
        return {
            "code": code, "display": display, "definition": definition,
            "property": [{"code": "notSelectable", "valueBoolean": True}],
            "concept": [{"code": c, "display": d, "definition": text} for c, d, text in members],
        }  # fmt: skip

    return {
        "resourceType": "CodeSystem",
        **_common(
            "icd10cm-guidance-kind", "CodeSystem", "Icd10cmGuidanceKind", "Kinds of ICD-10-CM coding guidance",
            "The kinds of statement coding guidance makes about an ICD-10-CM code (the designation uses and "
            "property meanings of the guidance supplements), and the topics a statement can be given under.",
        ),
        "caseSensitive": True,
        "hierarchyMeaning": "grouped-by",
        "content": "complete",
        "count": 2 + len(KINDS) + len(TOPICS),
        "property": [{
            "code": "notSelectable", "uri": "http://hl7.org/fhir/concept-properties#notSelectable", "type": "boolean",
            "description": "A grouping of codes, not a code to use",
        }],  # fmt: skip
        "concept": [
            grouper("statement-kind", "Kind of statement", "What a statement of coding guidance is about.", KINDS),
            grouper("topic", "Topic", "What part of the guidance a statement belongs to.", TOPICS),
        ],
    }


def topic_extension() -> dict[str, Any]:
    """The extension that gives a guidance statement (a concept property) its topic."""
    url = _url("StructureDefinition", "guidance-topic")
    element = "Extension"
    return {
        "resourceType": "StructureDefinition",
        **_common(
            "guidance-topic", "StructureDefinition", "GuidanceTopic", "Topic of a coding guidance statement",
            "The topic a statement of coding guidance (a property of a concept in a guidance supplement) is given "
            "under: the condition itself, the conditions behind it, or a related procedure.",
        ),
        "fhirVersion": "4.0.1",
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": "CodeSystem.concept.property"}],
        "type": element,
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": [
            {"id": element, "path": element, "short": "Topic of a coding guidance statement", "max": "1"},
            {"id": f"{element}.extension", "path": f"{element}.extension", "max": "0"},
            {"id": f"{element}.url", "path": f"{element}.url", "fixedUri": url},
            {"id": f"{element}.value[x]", "path": f"{element}.value[x]", "min": 1, "type": [{"code": "Coding"}],
             "binding": {"strength": "required", "valueSet": f"{_url('CodeSystem', 'icd10cm-guidance-kind')}?fhir_vs=isa/topic"}},
        ]},
    }  # fmt: skip


def supplement(lines: list[str]) -> dict[str, Any]:
    kinds = {code: (display, definition) for code, display, definition in KINDS}
    topics = {code: display for code, display, _ in TOPICS}
    statements = [(*LINES[number], lines[number - 1]) for number in sorted(LINES)]
    used = list(dict.fromkeys(kind for kind, _, _ in statements if kind != "page-title"))
    kind_system = kind_code_system()["url"]
    topic_url = topic_extension()["url"]

    def statement(kind: str, topic: str | None, text: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if topic is not None:
            found["extension"] = [{"url": topic_url, "valueCoding": {"system": kind_system, "code": topic, "display": topics[topic]}}]
        return {**found, "code": kind, "valueString": text}

    return {
        "resourceType": "CodeSystem",
        **_common(
            "icd10cm-guidance-m4848", "CodeSystem", "Icd10cmGuidanceM4848",
            "Coding guidance for ICD-10-CM M48.48",
            "Coding guidance for M48.48, fatigue fracture of vertebra, sacral and sacrococcygeal region, from a "
            "coding-reference page: its clinical description; documentation requirements, common clinical "
            "scenarios and coding considerations for the fracture itself and for the inflammatory conditions "
            "behind it; a related procedure (joint injections for pain); and how a fatigue fracture differs from "
            "an acute fracture. Each statement is a property of its kind; the guidance-topic extension says which "
            "part of the guidance it belongs to. M48.48 itself is not billable: a 7th character (A, D, G, S) is required.",
        ),
        "caseSensitive": True,
        "content": "supplement",
        "supplements": f"{ICD10CM}|{ICD10CM_VERSION}",
        "property": [
            {"code": kind, "uri": f"{kind_system}#{kind}", "description": kinds[kind][1], "type": "string"} for kind in used
        ],
        "concept": [
            {
                "code": "M48.48",
                "designation": [
                    {"language": "en", "use": {"system": kind_system, "code": kind, "display": kinds[kind][0]}, "value": text}
                    for kind, _, text in statements if kind == "page-title"
                ],
                "property": [statement(kind, topic, text) for kind, topic, text in statements if kind != "page-title"],
            }
        ],
    }


def _value_set(
    id: str, name: str, title: str, description: str, include: list[dict[str, Any]], exclude: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    compose: dict[str, Any] = {"include": include}
    if exclude:
        compose["exclude"] = list(exclude)
    return {"resourceType": "ValueSet", **_common(id, "ValueSet", name, title, description), "compose": compose}


def value_sets() -> list[dict[str, Any]]:
    def isa(code: str) -> dict[str, Any]:
        return {"system": ICD10CM, "filter": [{"property": "concept", "op": "is-a", "value": code}]}

    return [
        _value_set(
            "icd10cm-m4848-fatigue-fracture-sacral", "Icd10cmFatigueFractureSacral",
            "Fatigue fracture of vertebra, sacral and sacrococcygeal region",
            "M48.48 and the codes below it: one for each 7th character (A initial encounter, D subsequent encounter "
            "with routine healing, G subsequent encounter with delayed healing, S sequela). Only these four are billable.",
            [isa("M48.48")],
        ),
        _value_set(
            "icd10cm-billable", "Icd10cmBillable", "Billable ICD-10-CM codes",
            "Every ICD-10-CM code that can be billed: the codes with no codes below them, chosen by the billable "
            "property, not listed.",
            [{"system": ICD10CM, "filter": [{"property": "billable", "op": "=", "value": "true"}]}],
        ),
        _value_set(
            "icd10cm-m4848-predisposing-conditions", "Icd10cmFatigueFracturePredisposing",
            "Conditions that predispose to vertebral fatigue fractures",
            "The conditions the coding guidance for M48.48 names as predisposing to fatigue fractures of the "
            "vertebrae, by ICD-10-CM hierarchy: spondylopathies (block M45-M49), among them ankylosing spondylitis "
            "(M45) and spinal stenosis (M48.0); not the fatigue fractures themselves (M48.4), which the block holds too.",
            [isa("M45-M49"), isa("M45"), isa("M48.0")],
            [isa("M48.4")],
        ),
        _value_set(
            "icd10cm-m4848-acute-traumatic-fractures", "Icd10cmSacralTraumaticFractures",
            "Traumatic fractures of the sacrum and coccyx",
            "The acute traumatic fractures the coding guidance for M48.48 tells a fatigue fracture apart from. "
            "M48.4's Excludes1 note sends traumatic fractures of vertebrae to the injury chapter (S12.0-S12.3-, "
            "S22.0-, S32.0-); for the sacral and sacrococcygeal region these are the fractures of the sacrum "
            "(S32.1-) and of the coccyx (S32.2-).",
            [isa("S32.1"), isa("S32.2")],
        ),
    ]  # fmt: skip


def package_manifest() -> dict[str, Any]:
    return {
        "name": PACKAGE_NAME,
        "version": PACKAGE_VERSION,
        "canonical": CANONICAL_BASE,
        "title": "ICD-10-CM coding guidance: M48.48",
        "description": "Coding guidance for ICD-10-CM M48.48 as a CodeSystem supplement, the code system of its "
        "kinds of statement, and the value sets it names.",
        "fhirVersions": ["4.0.1"],
        "type": "fhir.ig",
        "license": "CC0-1.0",
        "author": PUBLISHER,
        "dependencies": {"hl7.fhir.r4.core": "4.0.1"},
    }


def build(seed: Path, out: Path = OUT) -> list[Path]:
    """Writes the package folder; returns the files written."""
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = max(*LINES, *LEFT_OUT)  # (every line is read, or said to be left out)
    if len(lines) != expected:
        raise SystemExit(f"{seed}: {len(lines)} lines, where this script reads {expected}: read the page again")
    resources = [kind_code_system(), topic_extension(), supplement(lines), *value_sets()]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for resource in resources:
        path = out / f"{resource['resourceType']}-{resource['id']}.json"
        path.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    index = {
        "index-version": 1,
        "files": [
            {"filename": path.name, "resourceType": r["resourceType"], "id": r["id"], "url": r["url"], "version": r["version"]}
            for path, r in zip(written, resources)
        ],
    }
    (out / ".index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    (out / "package.json").write_text(json.dumps(package_manifest(), indent=2) + "\n", encoding="utf-8")
    return [*written, out / ".index.json", out / "package.json"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", nargs="?", type=Path, default=DEFAULT_SEED, help="the coding-reference page, as text")
    args = parser.parse_args(argv)
    for path in build(args.seed):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
