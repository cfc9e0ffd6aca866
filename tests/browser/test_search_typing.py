"""Search as you type, timed in the page itself: from the keystroke (the input event) to the frame after
the hits are in the list. The figures are printed (``pytest tests/browser -s -k latency``), never
asserted; what is asserted is what a user sees: the list ends on the hits of the text in the box, an
older answer never replaces a newer one, and one request is out at a time."""

from __future__ import annotations

import statistics
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .views import open_view, search_box

# (distinct queries, so no answer comes from a cache: words, word starts, several words, code prefixes)
QUERIES = (
    "fracture", "diabetes with", "M48.4", "low back pain", "asthma", "E11.2", "pneumonia", "hypertension",
    "fatigue fracture", "sepsis", "otitis media", "S72.0", "migraine", "chronic kidney", "anemia", "C50.9",
    "depressive", "obesity", "covid", "J45", "heart failure", "osteoporosis", "urinary tract", "glaucoma",
    "I10", "gout", "concussion", "dermatitis", "Z00.0", "nausea",
)  # fmt: skip
#: A quick typist's pace between keys (ms); 0 is as fast as Chromium takes keys.
TYPING_PACE_MS = 60

# Records, in the page, each input event and each change of the list (what it holds once painted).
WATCH = """() => {
  const list = document.getElementById("search-results");
  window.typed = [];
  window.shown = [];
  document.addEventListener("input", (event) => typed.push({at: performance.now(), text: event.target.value}), true);
  new MutationObserver(() => {
    const at = performance.now();
    const codes = list.hidden ? null : [...list.querySelectorAll(".hit .code-id")].map((item) => item.textContent);
    requestAnimationFrame(() => shown.push({at, painted: performance.now(), codes}));
  }).observe(list, {childList: true, attributes: true, attributeFilter: ["hidden"]});
}"""
ASKED = """(text) => performance.getEntriesByType("resource")
  .some((entry) => entry.name.includes("$expand?") && new URL(entry.name).searchParams.get("filter") === text)"""
PAINTED = """(expected) => shown.some((s) => s.at >= typed[typed.length - 1].at
  && JSON.stringify(s.codes) === JSON.stringify(expected))"""
TIMELINE = """() => ({typed, shown, requests: performance.getEntriesByType("resource")
  .filter((entry) => entry.name.includes("$expand?") && entry.name.includes("filter="))
  .map((entry) => ({url: entry.name, start: entry.startTime, end: entry.responseEnd, duration: entry.duration}))})"""


def _type(page: Page, text: str, pace_ms: int) -> dict:
    """Types ``text`` into an empty box, waits for the list to show its hits, and returns the page's
    timeline, with the hits of ``text`` as the server gives them to the same request."""
    search = search_box(page)
    search.fill("")
    expect(page.locator("#search-results")).to_be_hidden()
    page.evaluate("() => { typed.length = 0; shown.length = 0; performance.clearResourceTimings(); }")
    search.press_sequentially(text, delay=pace_ms)
    expect(search).to_have_value(text)
    # (the page's own request for the text, asked again: the hits the list must end on)
    page.wait_for_function(ASKED, arg=text)
    timeline = page.evaluate(TIMELINE)
    answer = page.request.get(_requests_for(timeline, text)[0]["url"], headers={"Accept": "application/fhir+json"})
    timeline["expected"] = [item["code"] for item in answer.json()["expansion"].get("contains", [])]
    expect(page.locator("#search-results .hit .code-id")).to_have_text(timeline["expected"])
    page.wait_for_function(PAINTED, arg=timeline["expected"])  # (recorded at the frame after the list changed)
    return page.evaluate(TIMELINE) | {"expected": timeline["expected"]}


def _requests_for(timeline: dict, text: str) -> list[dict]:
    return [r for r in timeline["requests"] if parse_qs(urlsplit(r["url"]).query).get("filter") == [text]]


def _first_shown(timeline: dict, text: str) -> dict:
    """The first change of the list after the last keystroke that shows the hits of ``text``."""
    last = timeline["typed"][-1]
    assert last["text"] == text
    return next(s for s in timeline["shown"] if s["at"] >= last["at"] and s["codes"] == timeline["expected"])


def _one_out_at_a_time(timeline: dict) -> bool:
    spans = sorted((r["start"], r["end"]) for r in timeline["requests"])
    return all(start >= previous_end for (_, previous_end), (start, _) in zip(spans, spans[1:]))


def test_search_latency_seen_in_the_browser(page: Page, record_property) -> None:
    """Not a timed assertion: keystroke to hits shown over distinct queries, printed for the README."""
    open_view(page, "/")
    page.evaluate(WATCH)
    # (timed apart: over a fresh cache, the first text search builds the release's text index)
    first_search = _type(page, "wrist", TYPING_PACE_MS)
    latencies, requests, durations = [], [], []
    for text in QUERIES:
        timeline = _type(page, text, TYPING_PACE_MS)
        first = _first_shown(timeline, text)
        latencies.append(first["painted"] - timeline["typed"][-1]["at"])
        requests.append(len(timeline["requests"]))
        durations.extend(r["duration"] for r in timeline["requests"])
        assert _one_out_at_a_time(timeline), timeline["requests"]
    figures = {
        "first_search_ms": round(_first_shown(first_search, "wrist")["painted"] - first_search["typed"][-1]["at"], 1),
        "queries": len(QUERIES),
        "keystroke_to_hits_ms_median": round(statistics.median(latencies), 1),
        "keystroke_to_hits_ms_worst": round(max(latencies), 1),
        "expand_ms_median": round(statistics.median(durations), 1),
        "expand_ms_worst": round(max(durations), 1),
        "requests_per_query_mean": round(statistics.mean(requests), 1),
        "keystrokes_per_query_mean": round(statistics.mean(len(text) for text in QUERIES), 1),
    }
    record_property("search_latency", figures)
    print(f"\nsearch as you type, typed at {TYPING_PACE_MS} ms a key, no debounce:", figures)


def test_typing_fast_ends_on_the_hits_of_the_last_text(page: Page) -> None:
    """Keys as fast as Chromium takes them: the list ends on the hits of the whole text, and once it
    shows them no older answer replaces them; requests never overlap, and fewer than keystrokes go out."""
    open_view(page, "/")
    page.evaluate(WATCH)
    for text in ("fatigue fracture of vertebra", "diabetes mellitus with", "M48.48XA"):
        timeline = _type(page, text, 0)
        first = _first_shown(timeline, text)
        after = [s["codes"] for s in timeline["shown"] if s["at"] > first["at"]]
        assert all(codes in (None, timeline["expected"]) for codes in after), after
        assert _one_out_at_a_time(timeline), timeline["requests"]
        assert 1 <= len(timeline["requests"]) <= len(text) - 1, timeline["requests"]
        print(f"\ntyped as fast as Chromium takes keys: {text!r}, {len(text)} keys, {len(timeline['requests'])} requests")
