"""ICD-10-CM (http://hl7.org/fhir/sid/icd-10-cm) as a code system provider, over one tabular release."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from ..context import RequestContext
from ..definitions import SupplementDefinition
from ..definitions.code_system import ConceptAdditions
from ..errors import InvalidRequest
from ..fiscal_years import EffectivePeriod, fiscal_year_start, release_label
from ..loaders.icd10cm_xml import NOTE_KINDS, Icd10cmEntry, Icd10cmRelease, Notes
from ..lru_cache import LruCache
from ..model import Coding, Designation, Property, PropertyDefinition
from .base import CodeSystemInfo, CodeSystemProvider, ConceptFilter, HistoryNote
from .icd10cm_changes import HISTORY_PROPERTIES, history_note, history_properties, wants_history
from .icd10cm_metadata import CodeMetadata
from .filters import PredicateFilter, generic_filter
from .icd10cm_text_index import Icd10cmTextIndex

if TYPE_CHECKING:
    from .icd10cm_history import Icd10cmHistory

__all__ = ["ICD10CM_URL", "LEVEL_NOTES_KEPT", "Icd10cmProvider"]

ICD10CM_URL = "http://hl7.org/fhir/sid/icd-10-cm"

# FHIR's designation use for synonyms (the SNOMED CT concept FHIR's designation-use value set names).
_SYNONYM = Coding("http://snomed.info/sct", None, "900000000000013009", "Synonym")

_NOTE_DESCRIPTIONS = {
    "inclusionTerm": "An inclusion term: a condition classified to this code",
    "includes": "Includes note: further defines or gives examples of the content",
    "notes": "An instructional note of the tabular list",
    "excludes1": "Excludes1 note: a condition that is never coded together with this code",
    "excludes2": "Excludes2 note: a condition not included here, which may be coded as well",
    "codeFirst": "Code first: the underlying condition to sequence first",
    "useAdditionalCode": "Use additional code: a further code to add",
    "codeAlso": "Code also: a further code that may be required",
    "sevenChrNote": "The note that introduces the 7th-character definitions",
    "sevenChrDef": "A 7th character and its meaning, as 'character: meaning'",
}

_PROPERTY_DEFINITIONS: tuple[PropertyDefinition, ...] = (
    PropertyDefinition("parent", "code", "The concept directly above this one", "http://hl7.org/fhir/concept-properties#parent"),
    PropertyDefinition("child", "code", "A concept directly below this one", "http://hl7.org/fhir/concept-properties#child"),
    PropertyDefinition(
        "notSelectable",
        "boolean",
        "A header (a block, or a code with codes below it): not for use in data",
        "http://hl7.org/fhir/concept-properties#notSelectable",
    ),
    PropertyDefinition("billable", "boolean", "Valid for use on a claim: a code with no codes below it"),
    PropertyDefinition("chapter", "code", "The chapter of the tabular list the concept is in (its number)"),
    PropertyDefinition("block", "code", "The block (range of categories) the concept is in"),
    *(PropertyDefinition(kind, "string", _NOTE_DESCRIPTIONS[kind]) for kind in NOTE_KINDS),
)
_NOTE_KIND_SET = frozenset(NOTE_KINDS)

# How a note names the level it is written at (a subproperty of every note property).
_LEVELS = {"block": "block", "category": "category", "subcategory": "subcategory", "extended": "code"}

# How many billable codes a message about a header lists before it says how many more there are.
_LISTED_BILLABLE = 8

# How many levels' notes a provider keeps made (of about 10,000 levels with notes in a release). A
# lookup reads the notes of every level above its code, so the chapters, blocks and categories that
# many codes share stay; without a bound a worker kept every level any client asked about
# (scripts/soak: a worker's PSS still grew 5-10% over nine minutes after its warm-up).
LEVEL_NOTES_KEPT = 2048


class Icd10cmProvider(CodeSystemProvider):
    """Concepts are the release's :class:`Icd10cmEntry` objects; codes are written with their dot."""

    def __init__(
        self,
        release: Icd10cmRelease,
        id: str = "icd-10-cm",
        text_index: Icd10cmTextIndex | None = None,
        supplements: Sequence[SupplementDefinition] = (),
        version: str | None = None,
        effective: EffectivePeriod | None = None,
        aliases: tuple[str, ...] = (),
        history: Icd10cmHistory | None = None,
        metadata: Sequence[CodeMetadata] = (),
    ) -> None:
        """``supplements``: CodeSystem supplements whose designations and properties (coding
        guidance ...) are added to the concepts they name, and whose properties the codes below
        those concepts inherit. ``version``: the version id it is served as (the release's fiscal
        year by default); ``effective``: the days it is in effect; ``aliases``: its further version ids;
        ``history``: the code history of ICD-10-CM across fiscal years, which lookups and validations report;
        ``metadata``: the sources of further properties made for this release (MS-DRG, CMS-HCC)."""
        self.release = release
        self.history = history
        self.metadata = tuple(metadata)
        self.text_index = text_index
        self.supplements = tuple(supplements)
        self._order: tuple[Icd10cmEntry, ...] | None = None  # every concept in order, made when first asked for
        self._chapter_spans: dict[str, tuple[int, int]] | None = None  # where each chapter's run is in that order
        # The note properties written at each level, by ``(level, source)``, made when
        # first asked for: a lookup reads the notes of every level above the code, and those are shared.
        self._level_notes: LruCache[tuple[str, str], tuple[Property, ...]] = LruCache(LEVEL_NOTES_KEPT)
        self._added: dict[str, list[ConceptAdditions]] = {}
        self._added_properties: dict[str, tuple[Property, ...]] = {}  # by code, as the supplements' words are read
        definitions = list(_PROPERTY_DEFINITIONS) + (list(HISTORY_PROPERTIES) if history is not None else [])
        definitions += [definition for source in self.metadata for definition in source.property_definitions()]
        for supplement in self.supplements:
            for code, added in supplement.concepts.items():
                self._added.setdefault(code, []).append(added)
            known = {d.code for d in definitions}
            definitions += [d for d in supplement.property_definitions if d.code not in known]
        self._definitions = tuple(definitions)
        self.info = CodeSystemInfo(
            id=id,
            url=ICD10CM_URL,
            version=version or release.version,
            name="ICD10CM",
            title="International Classification of Diseases, Tenth Revision, Clinical Modification (ICD-10-CM)",
            publisher="National Center for Health Statistics (NCHS), Centers for Disease Control and Prevention",
            description=(
                f"ICD-10-CM, {release_label(release.effective or fiscal_year_start(release.fiscal_year))}: the tabular "
                "list (CDC/NCHS), with chapters as a property, blocks, categories, subcategories and the codes with a "
                "7th character."
            ),
            copyright="ICD-10-CM is published by the US National Center for Health Statistics (public domain).",
            case_sensitive=True,
            language="en",
            effective=effective,
            aliases=aliases,
        )
        self._entries = release.entries
        self._billable_codes = lru_cache(maxsize=4096)(self._billable_codes_uncached)

    # -- locating ---------------------------------------------------------------------------

    def locate(self, code: str) -> Icd10cmEntry | None:
        return self._entries.get(code)

    def probable_code(self, code: str) -> str | None:
        """The code as ICD-10-CM writes it: upper case, with its dot (``m4848xa`` -> ``M48.48XA``),
        and with the placeholder X before a 7th character (``M48.48A`` -> ``M48.48XA``)."""
        compact = "".join(code.split()).upper().replace(".", "")
        candidates = [compact]
        if 3 < len(compact) < 7 and compact[-1].isalpha():
            candidates.append(compact[:-1] + "X" * (7 - len(compact)) + compact[-1])
        for candidate in candidates:
            dotted = candidate[:3] + "." + candidate[3:] if len(candidate) > 3 else candidate
            if dotted != code and dotted in self._entries:
                return dotted
        upper = code.strip().upper()  # blocks such as M45-M49 have no dot
        return upper if upper != code and upper in self._entries else None

    # -- what a concept says of itself ------------------------------------------------------

    def code(self, concept: Icd10cmEntry) -> str:
        return concept.code

    def display(self, concept: Icd10cmEntry, context: RequestContext) -> str:
        return concept.display

    def designations(self, concept: Icd10cmEntry, context: RequestContext) -> Sequence[Designation]:
        own = tuple(Designation(term, "en", _SYNONYM) for term in self._own_notes(concept, "inclusionTerm"))
        return own + tuple(d for added in self._added.get(concept.code, ()) for d in added.designations)

    def is_abstract(self, concept: Icd10cmEntry) -> bool:
        return bool(concept.children) or concept.kind == "block"

    def abstract_reason(self, concept: Icd10cmEntry) -> str:
        codes, total = self._billable_codes(concept.code)
        what = "a block of categories" if concept.kind == "block" else "a header code"
        listed = ", ".join(codes)
        more = f" and {total - len(codes)} more" if total > len(codes) else ""
        # A category with no subcategories (T07) takes its 7th character directly, as a subcategory does.
        if concept.children and self._entries[concept.children[0]].kind == "extended":
            need = "it needs a 7th character"
        else:
            need = "a more specific code is needed"
        return f"{concept.code} is {what} and not billable: {need}. Billable codes below it: {listed}{more}"

    def _billable_codes_uncached(self, code: str) -> tuple[tuple[str, ...], int]:
        listed: list[str] = []
        total = 0
        stack = [code]
        while stack:
            entry = self._entries[stack.pop()]
            if not entry.children and entry.kind != "block":
                total += 1
                if len(listed) < _LISTED_BILLABLE:
                    listed.append(entry.code)
            stack.extend(reversed(entry.children))
        return tuple(listed), total

    # -- properties -------------------------------------------------------------------------

    def property_definitions(self) -> Sequence[PropertyDefinition]:
        return self._definitions

    def with_supplements(self, supplements: Sequence[SupplementDefinition]) -> Icd10cmProvider:
        info = self.info
        supplemented = Icd10cmProvider(
            self.release, info.id, self.text_index, (*self.supplements, *supplements), info.version, info.effective, info.aliases,
            self.history, self.metadata,
        )  # fmt: skip
        supplemented._order, supplemented._chapter_spans = self._order, self._chapter_spans  # the same release: the same order
        supplemented._level_notes = self._level_notes
        return supplemented

    def supplement_canonicals(self) -> Sequence[str]:
        return [supplement.canonical for supplement in self.supplements]

    def properties(
        self, concept: Icd10cmEntry, wanted: Collection[str] | None, inherited: bool = True
    ) -> Iterator[Property]:
        """Every defined property by default; notes include those inherited from the levels above,
        each with the ``source`` code (or chapter number) and ``level`` it is written at."""

        def want(name: str) -> bool:
            return wanted is None or name in wanted

        if want("parent") and concept.parent:
            yield Property("parent", concept.parent, "code", self._entries[concept.parent].display)
        if want("child"):
            for child in concept.children:
                yield Property("child", child, "code", self._entries[child].display)
        abstract = self.is_abstract(concept)
        if want("notSelectable"):
            yield Property("notSelectable", abstract, "boolean")
        if want("billable"):
            yield Property("billable", not abstract, "boolean")
        if want("chapter"):
            yield Property("chapter", concept.chapter, "code", self.release.chapters[concept.chapter].title)
        block = self._block(concept) if want("block") else None
        if block is not None:
            yield Property("block", block.code, "code", block.display)
        if wanted is None or not _NOTE_KIND_SET.isdisjoint(wanted):
            yield from self._note_properties(concept, wanted, inherited)
        if self._added:
            yield from self._supplement_properties(concept, want, inherited)
        past = self.history.of(concept.code) if self.history is not None and wants_history(wanted) else None
        if past is not None:
            yield from history_properties(past, None if wanted is None else frozenset(wanted))
        for source in self.metadata:
            yield from source.properties(concept.code, wanted)

    def history_note(self, code: str, day: date | None) -> HistoryNote | None:
        past = self.history.of(code) if self.history is not None else None
        if past is None:
            return None
        concept = self._entries.get(code)
        return history_note(past, self.release.fiscal_year, concept is not None, concept is not None and self.is_abstract(concept), day)

    def _note_properties(self, concept: Icd10cmEntry, wanted: Collection[str] | None, inherited: bool) -> Iterator[Property]:
        levels = [(concept.code, _LEVELS[concept.kind], concept.notes)]
        if inherited:
            levels += [(e.code, _LEVELS[e.kind], e.notes) for e in self.release.ancestors(concept.code)]
            chapter = self.release.chapters[concept.chapter]
            levels.append((chapter.number, "chapter", chapter.notes))
        for source, level, notes in levels:
            if notes:
                written = self._notes_at(source, level, notes)
                yield from written if wanted is None else (prop for prop in written if prop.code in wanted)

    def _notes_at(self, source: str, level: str, notes: Notes) -> tuple[Property, ...]:
        """The notes written at one level as properties, each with the ``source`` and ``level`` subproperties."""
        return self._level_notes.get((level, source), lambda _: _note_properties(source, level, notes))

    def _supplement_properties(self, concept: Icd10cmEntry, want: Callable[[str], bool], inherited: bool) -> Iterator[Property]:
        """What the supplements say of the concept and, as notes are, of the levels above it (a 7th-character
        code takes the guidance on its subcategory), each with the ``source`` and ``level`` it is written at."""
        levels = [concept, *(self.release.ancestors(concept.code) if inherited else ())]
        for entry in levels:
            if entry.code in self._added:
                yield from (prop for prop in self._added_at(entry) if want(prop.code))

    def _added_at(self, entry: Icd10cmEntry) -> tuple[Property, ...]:
        """The properties the supplements give one concept, each with its ``source`` and ``level`` (made once)."""
        made = self._added_properties.get(entry.code)
        if made is None:
            origin = (Property("source", entry.code, "code"), Property("level", _LEVELS[entry.kind], "code"))
            made = tuple(
                Property(prop.code, prop.value, prop.type, prop.description, (*prop.subproperties, *origin))
                for added in self._added[entry.code]
                for prop in added.properties
            )
            self._added_properties[entry.code] = made
        return made

    def _own_notes(self, concept: Icd10cmEntry, kind: str) -> tuple[str, ...]:
        for note_kind, texts in concept.notes:
            if note_kind == kind:
                return texts
        return ()

    def _block(self, concept: Icd10cmEntry) -> Icd10cmEntry | None:
        """The innermost block that holds the concept (a block's own block is the one above it)."""
        for entry in self.release.ancestors(concept.code):
            if entry.kind == "block":
                return entry
        return None

    # -- hierarchy --------------------------------------------------------------------------

    def children(self, concept: Icd10cmEntry) -> Sequence[Icd10cmEntry]:
        return [self._entries[child] for child in concept.children]

    def parents(self, concept: Icd10cmEntry) -> Sequence[Icd10cmEntry]:
        return [self._entries[concept.parent]] if concept.parent else []

    def subsumes(self, ancestor: Icd10cmEntry, concept: Icd10cmEntry) -> bool:
        # Codes nest by prefix only within a category, and blocks hold categories by range:
        # walking the single parent chain is exact and short (six levels at most).
        current: Icd10cmEntry | None = concept
        while current is not None:
            if current is ancestor:
                return True
            current = self._entries[current.parent] if current.parent else None
        return False

    def all_concepts(self) -> Iterator[Icd10cmEntry]:
        return iter(self._depth_first())

    def _depth_first(self) -> tuple[Icd10cmEntry, ...]:
        """Every concept, parents before children: walked once per release (a tree, one parent each)."""
        if self._order is None:
            order, stack = [], list(reversed(self.roots()))
            while stack:
                entry = stack.pop()
                order.append(entry)
                stack.extend(self._entries[child] for child in reversed(entry.children))
            self._order = tuple(order)
        return self._order

    def text_search(self, text: str) -> Sequence[Icd10cmEntry] | None:
        if self.text_index is None:
            return None
        if not text.strip():
            return []
        return _RankedMatches(self.text_index.matches(text), self._entries)

    def read_built_files(self) -> None:
        if self.text_index is not None:
            self.text_index.load_if_built()

    def filter(self, prop: str, op: str, value: str) -> ConceptFilter:
        """``billable``, ``notSelectable``, ``chapter`` and ``block`` read straight off the entry, the
        properties of the release's metadata sources from them; the rest as for any code system."""
        for source in self.metadata:
            test = source.code_filter(prop, op, value)
            if test is not None:
                return PredicateFilter(lambda entry: test(entry.code), self.all_concepts)
        if op == "=" and prop in ("billable", "notSelectable"):
            if value not in ("true", "false"):
                raise InvalidRequest(f"The filter '{prop} = {value}' needs true or false")
            abstract = (prop == "notSelectable") == (value == "true")
            return PredicateFilter(lambda entry: self.is_abstract(entry) == abstract, self.all_concepts)
        # A chapter's concepts are the trees of its top-level blocks, a block's are below it: only those are walked.
        if op == "=" and prop == "chapter":
            return PredicateFilter(lambda entry: entry.chapter == value, lambda: self._chapter_concepts(value))
        if op == "=" and prop == "block":
            block = self._entries.get(value)
            below = (lambda: self.descendants(block)) if block is not None else (lambda: iter(()))
            return PredicateFilter(lambda entry: getattr(self._block(entry), "code", None) == value, below)
        return generic_filter(self, prop, op, value)

    def _chapter_concepts(self, number: str) -> Iterator[Icd10cmEntry]:
        """A chapter's concepts: one run of the concepts in order, as the tabular list prints them."""
        order = self._depth_first()
        if self._chapter_spans is None:
            spans: dict[str, tuple[int, int]] = {}
            for index, entry in enumerate(order):
                start, _ = spans.get(entry.chapter, (index, index))
                spans[entry.chapter] = (start, index + 1)
            self._chapter_spans = spans
        start, end = self._chapter_spans.get(number, (0, 0))
        return islice(order, start, end)

    def roots(self) -> Sequence[Icd10cmEntry]:
        return [self._entries[code] for code in self.release.roots]

    def count(self) -> int:
        return len(self._entries)


class _RankedMatches(Sequence[Icd10cmEntry]):
    """The index's matches for a text, made entries as they are read: a typeahead that wants ten
    of 20,000 matches makes ten, and the count is the index's own."""

    def __init__(self, matches: Sequence[str], entries: dict[str, Icd10cmEntry]) -> None:
        self.matches = matches
        self.entries = entries

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, item):  # type: ignore[override]
        if isinstance(item, slice):
            return [self.entries[code] for code in self.matches[item]]
        return self.entries[self.matches[item]]

    def __iter__(self) -> Iterator[Icd10cmEntry]:
        return (self.entries[code] for code in self.matches)


def _note_properties(source: str, level: str, notes: Notes) -> tuple[Property, ...]:
    origin = (Property("source", source, "code"), Property("level", level, "code"))
    return tuple(Property(kind, text, "string", subproperties=origin) for kind, texts in notes for text in texts)
