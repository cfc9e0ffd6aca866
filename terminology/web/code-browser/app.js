// The code browser: the view is in the address (?code=, ?q=, &version=), so a copied link opens the same
// view and back and forward work; every answer comes from this server's FHIR API.

import {h, fill} from "./dom.js";
import {FhirClient} from "./fhir.js";
import {codeLink, currentView, linkCodes, viewHref} from "./links.js";
import {showCode} from "./code-page.js";
import {searchBox, showSearch} from "./search.js";

const client = new FhirClient(document.querySelector('meta[name="fhir-base"]').content);
const main = document.getElementById("main");
const statusLine = document.getElementById("status");
const input = document.getElementById("search-input");
const releaseSelect = document.getElementById("release-select");

// What every view needs, asked once: the releases (and what each property means), the supplements,
// the value sets (asked only when a code's page first needs them).
const releases = client.releases().catch(() => []);
const supplements = client.supplements().catch(() => []);
let valueSets = null;
// (the chapters of each release, asked once: the expansion reads every code)
const chapterLists = new Map();

function status(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
  clearTimeout(status.timer);
  status.timer = setTimeout(() => { statusLine.textContent = ""; }, 4000);
}

/** The release `version` names (by its version or the day it takes effect); the newest for none. */
function releaseNamed(known, version) {
  return version ? known.find((r) => r.names.includes(version)) : known[0];
}

async function context(version) {
  const known = await releases;
  const release = releaseNamed(known, version) || known[0] || {version: "", names: [], descriptions: new Map()};
  return {
    client, version, status,
    releaseNames: release.names,
    descriptions: release.descriptions,
    supplements: await supplements,
    valueSets: () => (valueSets ??= client.valueSets().catch(() => [])),
  };
}

async function home(version) {
  document.title = "ICD-10-CM code browser";
  const example = (code) => h("li", {}, h("a", {href: viewHref({code, version}), "data-nav": true}, code));
  const search = (q) => h("li", {}, h("a", {href: viewHref({q, version}), "data-nav": true}, q));
  const chapters = h("div", {class: "chapters"}, h("p", {class: "loading"}, "Loading the chapters…"));
  fill(main,
    h("section", {class: "card intro", "aria-labelledby": "intro-heading"},
      h("h1", {id: "intro-heading"}, "ICD-10-CM code browser"),
      h("p", {}, "Search by words or the start of a code above. A code's page shows where it sits, the codes below it, its notes, its 7th characters, guidance, the value sets that hold it, its history and CMS's data."),
      h("h2", {}, "Try"),
      h("ul", {class: "examples"}, example("M48.48"), example("E11.22"), example("M54.5"), search("fatigue fracture"))),
    h("section", {class: "card", "aria-labelledby": "chapters-heading"}, h("h2", {id: "chapters-heading"}, "Chapters"), chapters));
  try {
    if (!chapterLists.has(version)) chapterLists.set(version, chapterList(version));
    fill(chapters, ...(await chapterLists.get(version)).map((item) => item.cloneNode(true)));
  } catch (error) {
    chapterLists.delete(version);  // (asked again next time)
    fill(chapters, h("p", {class: "error"}, error.message));
  }
}

/** Each chapter (its title from a `$lookup` of its first block), opening on its blocks. */
async function chapterList(version) {
  const top = await client.topLevel(version);
  const byChapter = new Map();
  for (const item of top) {
    if (!byChapter.has(item.chapter)) byChapter.set(item.chapter, []);
    byChapter.get(item.chapter).push(item);
  }
  const titles = await client.chapterTitles([...byChapter.values()].map((items) => items[0].code), version);
  return [...byChapter].sort(([a], [b]) => Number(a) - Number(b)).map(([chapter, items]) => h("details", {},
    h("summary", {}, `Chapter ${chapter}: ${titles.get(chapter) || ""}`),
    h("ul", {}, items.map((item) => h("li", {}, codeLink(item.code, version), " ", item.display)))));
}

async function render() {
  const view = currentView();
  input.value = view.q;
  await syncReleases(view.version);
  try {
    if (view.code) await showCode(main, view.code, await context(view.version));
    else if (view.q) await showSearch(main, view.q, await context(view.version));
    else await home(view.version);
  } catch (error) {
    document.title = "Error · ICD-10-CM browser";
    const known = await releases;
    const tried = releaseNamed(known, view.version);
    const others = view.code && error.status === 404 ? known.filter((r) => r !== tried) : [];
    fill(main, h("section", {class: "card problem", role: "alert", "aria-labelledby": "problem-heading"},
      h("h1", {id: "problem-heading"}, view.code ? `${view.code}: not found` : "Something went wrong"),
      String(error.message).split("\n").map((line) => h("p", {}, linkCodes(line, view.version))),
      others.length ? h("p", {class: "other-releases"}, `Look ${view.code} up in another release: `,
        others.flatMap((r, index) => [index ? ", " : "", h("a", {href: viewHref({code: view.code, version: r.version}), "data-nav": true}, r.version)])) : null));
  }
}

async function syncReleases(version) {
  const known = await releases;
  if (releaseSelect.options.length === 1) {
    for (const release of known) releaseSelect.append(h("option", {value: release.version}, release.version));
  }
  releaseSelect.value = (version && releaseNamed(known, version)?.version) || "";
}

function go(href) {
  history.pushState(null, "", href);
  render().then(() => main.focus({preventScroll: false}));
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-nav]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});
window.addEventListener("popstate", render);
releaseSelect.addEventListener("change", () => go(viewHref({...currentView(), version: releaseSelect.value})));
document.getElementById("search-form").addEventListener("submit", (event) => event.preventDefault());
searchBox({
  input,
  list: document.getElementById("search-results"),
  client,
  version: () => currentView().version,
  open: (code) => go(viewHref({code, version: currentView().version})),
  search: (q) => go(viewHref({q, version: currentView().version})),
});
render();
