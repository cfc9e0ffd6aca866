// A code's page: title and badge, hierarchy, children, 7th characters, notes, guidance, value sets,
// history and CMS's data, each from the FHIR API. The page shows at once what one `$lookup` gives; the
// parts that take more requests (the breadcrumb, value sets, GEMs) fill in as they arrive.

import {h, fill} from "./dom.js";
import {ICD10CM} from "./fhir.js";
import {codeLink, linkCodes} from "./links.js";

// The tabular list's notes, in the order a coder reads them, with the headings shown for each kind
// (what each kind means comes from the code system's own property descriptions).
const NOTE_KINDS = [
  ["inclusionTerm", "Inclusion terms"],
  ["includes", "Includes"],
  ["excludes1", "Excludes1"],
  ["excludes2", "Excludes2"],
  ["codeFirst", "Code first"],
  ["codeAlso", "Code also"],
  ["useAdditionalCode", "Use additional code"],
  ["notes", "Notes"],
];
const HISTORY = new Set(["fiscalYears", "billableFiscalYears", "added", "deleted", "becameHeader", "replacedBy", "previousTitle"]);

/** Renders the page of `code` into `main`; `context` = {client, version, releaseNames, descriptions, supplements, valueSets, status}. */
export async function showCode(main, code, context) {
  fill(main, h("p", {class: "loading"}, `Looking up ${code}…`));
  const concept = await lookUpWithGuidance(code, context);
  const version = context.version;
  const props = (name) => concept.properties.filter((p) => p.code === name);
  const first = (name) => props(name)[0];
  const billable = first("billable")?.value === true;
  const guidanceKinds = guidanceProperties(context.supplements, concept);

  const breadcrumb = h("ol", {class: "crumbs"});
  const valueSets = h("div", {class: "value-sets"}, h("p", {class: "loading"}, "Checking value sets…"));
  const gems = h("div", {}, h("p", {class: "loading"}, "Looking up GEM maps…"));
  const children = props("child");

  fill(main,
    concept.warnings.length ? h("div", {class: "notice"}, concept.warnings.map((text) => h("p", {}, text))) : null,
    h("nav", {"aria-label": "Hierarchy", class: "hierarchy"}, breadcrumb),
    h("div", {class: "title"},
      h("h1", {id: "code-title"}, h("span", {class: "code-id"}, concept.code), " ", h("span", {class: "code-display"}, concept.display)),
      billable ? h("span", {class: "badge billable"}, "Billable") : h("span", {class: "badge header"}, "Header: not billable"),
      h("span", {class: "badge release"}, `ICD-10-CM ${concept.version}`)),
    copyButtons(concept, context.status),
    h("div", {class: "columns"},
      h("div", {class: "primary"},
        sevenCharacters(concept, children, context),
        children.length ? section("Codes below", "children", h("ul", {class: "children"}, children.map((child) =>
          h("li", {}, codeLink(child.value, version), " ", child.description || "")))) : null,
        notes(concept, context),
        guidanceKinds.size ? guidance(concept, guidanceKinds, context) : null),
      h("div", {class: "secondary"},
        section("Value sets", "value-sets", valueSets),
        history(concept, version),
        cms(concept),
        section("ICD-9-CM (GEMs)", "gems", gems),
        synonyms(concept))),
  );
  document.title = `${concept.code} ${concept.display} · ICD-10-CM browser`;
  // (the parts below each take their own requests, and fail alone)
  fillBreadcrumb(breadcrumb, concept, context).catch((error) => fill(breadcrumb, h("li", {class: "error"}, error.message)));
  fillValueSets(valueSets, concept, context).catch((error) => fill(valueSets, h("p", {class: "error"}, error.message)));
  fillGems(gems, concept, context).catch((error) => fill(gems, h("p", {class: "error"}, error.message)));
}

/** The `$lookup` of `code` with the supplements of its release; without them if they are refused. */
async function lookUpWithGuidance(code, context) {
  const urls = context.supplements.filter((s) => !s.supplements || context.releaseNames.includes(s.supplements)).map((s) => s.url);
  if (urls.length === 0) return context.client.lookup(code, context.version);
  try {
    return await context.client.lookup(code, context.version, urls);
  } catch (error) {
    if (error.status === 404) throw error;  // (the code is unknown: the same without guidance)
    return context.client.lookup(code, context.version);
  }
}

function section(title, id, ...content) {
  return h("section", {class: "card", "aria-labelledby": `${id}-heading`, id},
    h("h2", {id: `${id}-heading`}, title), ...content);
}

function describe(context, kind) {
  const text = context.descriptions.get(kind) || "";
  return text.includes(": ") ? text.slice(text.indexOf(": ") + 2) : text;
}

// ---- the hierarchy: chapter, then each parent up to the top, as links (one `$expand` gives them all)

async function fillBreadcrumb(list, concept, context) {
  const above = new Map((await context.client.ancestors(concept.code, context.version)).map((item) => [item.code, item]));
  const chain = [];
  let parent = concept.properties.find((p) => p.code === "parent")?.value;
  while (parent && !chain.some((item) => item.code === parent)) {
    const item = above.get(parent) || {code: parent};
    chain.unshift(item);
    parent = item.parent;
  }
  const chapter = concept.properties.find((p) => p.code === "chapter");
  fill(list,
    chapter ? h("li", {}, h("span", {class: "chapter"}, `Chapter ${chapter.value}`, chapter.description ? `: ${chapter.description}` : "")) : null,
    chain.map((item) => h("li", {}, codeLink(item.code, context.version), item.display ? ` ${item.display}` : "")),
    h("li", {"aria-current": "page"}, concept.code));
}

// ---- 7th characters

/** The code with a 7th character: placeholders X up to six characters, then the character (M48.48 + A = M48.48XA). */
export function withSeventh(code, character) {
  const bare = code.replace(".", "").slice(0, 6).padEnd(6, "X") + character;
  return `${bare.slice(0, 3)}.${bare.slice(3)}`;
}

function sevenCharacters(concept, children, context) {
  const definitions = concept.properties.filter((p) => p.code === "sevenChrDef").map((p) => {
    const [character, ...meaning] = String(p.value).split(": ");
    return {character, meaning: meaning.join(": "), source: p.sub.source};
  });
  if (definitions.length === 0) return null;
  const intro = concept.properties.find((p) => p.code === "sevenChrNote");
  const bare = concept.code.replace(".", "");
  // (a code takes a 7th character itself when nothing but 7-character codes are below it)
  const pickable = bare.length < 7 && children.every((child) => child.value.replace(".", "").length === 7);
  const result = h("div", {class: "seventh-result", "aria-live": "polite"});
  const choose = async (character) => {
    const target = withSeventh(concept.code, character);
    fill(result, h("p", {class: "loading"}, `Looking up ${target}…`));
    try {
      const found = await context.client.lookup(target, context.version, [], ["billable"]);
      const billable = found.properties.find((p) => p.code === "billable")?.value === true;
      fill(result, h("p", {class: "picked"}, codeLink(found.code, context.version), " ", found.display, " ",
        billable ? h("span", {class: "badge billable"}, "Billable") : h("span", {class: "badge header"}, "Header")));
    } catch (error) {
      fill(result, h("p", {class: "error"}, linkCodes(error.message, context.version)));
    }
  };
  const current = bare.length === 7 ? bare[6] : "";
  const options = definitions.map((definition) => h("li", {},
    pickable
      ? h("label", {}, h("input", {type: "radio", name: "seventh", value: definition.character, onchange: () => choose(definition.character)}),
          h("span", {class: "character"}, definition.character), " ", definition.meaning)
      : h("span", {class: current === definition.character ? "current" : ""}, h("span", {class: "character"}, definition.character), " ", definition.meaning)));
  return section("7th character", "seventh",
    intro ? h("p", {}, linkCodes(String(intro.value), context.version), fromNote(intro, concept, context)) : null,
    pickable
      ? h("fieldset", {class: "picker"}, h("legend", {}, `Choose the 7th character of ${concept.code}`), h("ul", {}, options))
      : h("ul", {class: "picker"}, options),
    pickable ? result : (bare.length < 7 ? h("p", {class: "hint"}, "These apply to the codes below; choose one of them first.") : null));
}

// ---- tabular notes, grouped by kind; inherited ones say where they are written

function notes(concept, context) {
  const groups = NOTE_KINDS.map(([kind, heading]) => [kind, heading, concept.properties.filter((p) => p.code === kind)])
    .filter(([, , items]) => items.length);
  if (groups.length === 0) return null;
  return section("Notes", "notes", groups.map(([kind, heading, items]) => h("div", {class: `note-group ${kind}`},
    h("h3", {}, heading),
    describe(context, kind) ? h("p", {class: "kind-help"}, describe(context, kind)) : null,
    h("ul", {}, items.map((item) => h("li", {}, linkCodes(String(item.value), context.version), fromNote(item, concept, context)))))));
}

/** "from M48.4 (subcategory)" for a note written on a code above this one. */
function fromNote(property, concept, context) {
  const source = property.sub.source;
  if (!source || source === concept.code) return null;
  const level = property.sub.level ? ` (${property.sub.level})` : "";
  const where = property.sub.level === "chapter" ? `chapter ${source}` : codeLink(source, context.version);
  return h("span", {class: "inherited"}, " — from ", where, level);
}

// ---- guidance from supplements

function guidanceProperties(supplements, concept) {
  const kinds = new Map();
  const used = new Set(concept.properties.map((p) => p.code));
  for (const supplement of supplements) {
    for (const [code, description] of supplement.properties) {
      if (used.has(code) && !kinds.has(code)) kinds.set(code, {description, supplement});
    }
  }
  return kinds;
}

function guidance(concept, kinds, context) {
  const sources = [...new Set([...kinds.values()].map((kind) => kind.supplement.title))];
  return section("Coding guidance", "guidance",
    h("p", {class: "hint"}, `From ${sources.join(", ")} (a supplement of ICD-10-CM this server holds).`),
    [...kinds].map(([kind, {description}]) => h("div", {class: "guidance-kind"},
      h("h3", {}, kind.replaceAll("-", " ").replace(/^./, (c) => c.toUpperCase())),
      h("p", {class: "kind-help"}, description),
      h("ul", {}, concept.properties.filter((p) => p.code === kind).map((item) => h("li", {},
        item.sub["guidance-topic"]?.display ? h("span", {class: "topic"}, item.sub["guidance-topic"].display, ": ") : null,
        linkCodes(String(item.value), context.version), fromNote(item, concept, context)))))));
}

// ---- value sets that hold the code

async function fillValueSets(container, concept, context) {
  const holding = await context.client.valueSetsHolding(await context.valueSets(), concept.code, concept.version);
  fill(container, holding.length
    ? h("ul", {}, holding.map((valueSet) => h("li", {}, valueSet.title, h("br"), h("code", {class: "url"}, valueSet.url))))
    : h("p", {}, "In none of the value sets this server holds for ICD-10-CM."));
}

// ---- history across releases

function history(concept, version) {
  const items = concept.properties.filter((p) => HISTORY.has(p.code));
  if (items.length === 0) return null;
  const one = (name) => items.find((p) => p.code === name);
  const rows = [];
  const row = (label, ...value) => rows.push(h("dt", {}, label), h("dd", {}, ...value));
  if (one("fiscalYears")) row("Valid in", `FY${one("fiscalYears").value}`);
  if (one("billableFiscalYears")) row("Billable in", `FY${one("billableFiscalYears").value}`);
  if (one("added")) row("Added", `${one("added").value} (${one("added").description})`);
  if (one("deleted")) row("Deleted", `${one("deleted").value} (${one("deleted").description})`);
  if (one("becameHeader")) row("Became a header", `${one("becameHeader").value} (${one("becameHeader").description})`);
  const replaced = items.filter((p) => p.code === "replacedBy");
  if (replaced.length) row("Replaced by", replaced.flatMap((p, index) => [index ? ", " : "", codeLink(p.value, version)]));
  for (const title of items.filter((p) => p.code === "previousTitle")) row("Earlier title", `${title.value} (FY${title.sub.fiscalYears})`);
  return section("History", "history", h("dl", {}, rows));
}

// ---- CMS: risk adjustment categories, MS-DRG severity, GEMs

function cms(concept) {
  const hcc = concept.properties.filter((p) => p.code === "hcc");
  const severity = concept.properties.find((p) => p.code === "drg-severity");
  const collection = concept.properties.find((p) => p.code === "drg-cc-exclusion-collection");
  const aliveOnly = concept.properties.find((p) => p.code === "drg-discharged-alive-only");
  if (!hcc.length && !severity) return null;
  return section("CMS", "cms",
    severity ? h("p", {}, h("strong", {}, "MS-DRG: "), severity.description || severity.value,
      collection ? ` (CC exclusion collection ${collection.value}: ${collection.description || ""})` : "",
      aliveOnly?.value ? "; only if discharged alive" : "") : null,
    hcc.length ? h("table", {class: "hcc"},
      h("caption", {}, "Risk adjustment categories (HCC)"),
      h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Model"), h("th", {scope: "col"}, "Category"), h("th", {scope: "col"}, "Payment years"))),
      h("tbody", {}, categories(hcc).map((row) => h("tr", {},
        h("td", {}, row.model), h("td", {}, `${row.code}: ${row.display}`), h("td", {}, row.years.join(", ")))))) : null);
}

/** The `hcc` properties as one row per model and category, with the payment years that give it. */
function categories(hcc) {
  const rows = new Map();
  for (const p of hcc) {
    const model = `${p.value.system.endsWith("cmsrxhcc") ? "RxHCC" : "CMS-HCC"} ${p.sub.model || p.value.version}`;
    const key = `${model}|${p.value.code}`;
    if (!rows.has(key)) rows.set(key, {model, code: p.value.code, display: p.value.display || "", years: []});
    if (p.sub.year !== undefined) rows.get(key).years.push(p.sub.year);
  }
  return [...rows.values()];
}

async function fillGems(container, concept, context) {
  const targets = await context.client.gemTargets(concept.code);
  fill(container, targets.length
    ? h("ul", {}, targets.map((t) => h("li", {}, h("span", {class: "code-id"}, t.code), ` ${t.display || ""} (${t.equivalence})`)))
    : h("p", {}, "No ICD-9-CM code in CMS's GEMs."));
}

function synonyms(concept) {
  const others = concept.designations.filter((d) => d.value !== concept.display);
  if (others.length === 0) return null;
  return section("Other titles", "synonyms", h("ul", {}, others.map((d) => h("li", {}, d.value, d.use ? ` (${d.use})` : ""))));
}

// ---- copying

function copyButtons(concept, status) {
  const coding = {system: ICD10CM, version: concept.version, code: concept.code, display: concept.display};
  const copy = (text, what) => navigator.clipboard.writeText(text).then(
    () => status(`Copied ${what} to the clipboard.`),
    (error) => status(`Could not copy ${what}: ${error.message}`, true));
  return h("div", {class: "copy"},
    h("button", {type: "button", onclick: () => copy(concept.code, concept.code)}, "Copy code"),
    h("button", {type: "button", onclick: () => copy(JSON.stringify(coding, null, 2), "the FHIR Coding")}, "Copy as FHIR Coding"));
}
