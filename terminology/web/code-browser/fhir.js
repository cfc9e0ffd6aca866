// The FHIR API of this server, as the page uses it: every request a plain FHIR request a client could make.

export const ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";
const ALL_CODES = `${ICD10CM}?fhir_vs`;
const ICD10CM_TO_ICD9CM = "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-icd9cm";
const EFFECTIVE_PERIOD = "http://hl7.org/fhir/5.0/StructureDefinition/extension-CodeSystem.effectivePeriod";
const EXPANSION_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property";

/** An answer that is not a success: its message is the OperationOutcome's text where there is one. */
export class FhirError extends Error {
  constructor(message, status, outcome) {
    super(message);
    this.status = status;
    this.outcome = outcome;
  }
}

export class FhirClient {
  constructor(base) {
    this.base = base.replace(/\/$/, "");
  }

  async get(path, params = [], signal = undefined) {
    const query = new URLSearchParams(params.filter(([, value]) => value !== undefined && value !== ""));
    return this.answer(await fetch(`${this.base}/${path}?${query}`, {headers: {Accept: "application/fhir+json"}, signal}));
  }

  async post(path, resource) {
    const body = JSON.stringify(resource);
    const headers = {Accept: "application/fhir+json", "Content-Type": "application/fhir+json"};
    return this.answer(await fetch(`${this.base}/${path}`, {method: "POST", headers, body}));
  }

  async answer(response) {
    let resource = null;
    try {
      resource = await response.json();
    } catch {
      // (not JSON: a proxy's page; the status says what happened)
    }
    if (!response.ok) {
      const text = resource?.resourceType === "OperationOutcome" ? outcomeText(resource) : "";
      throw new FhirError(text || `The server answered ${response.status} ${response.statusText}`, response.status, resource);
    }
    if (resource === null) throw new FhirError("The server's answer is not JSON", response.status, null);
    return resource;
  }

  /** The first `count` codes whose title or code matches `filter`, best first, each with its billable flag,
   * chapter and block, and how many match in all: {hits, total}. */
  async expand(filter, version, signal, count = 20) {
    const params = [["url", ALL_CODES], ["filter", filter], ["count", String(count)], ["system-version", version && `${ICD10CM}|${version}`],
      ["property", "billable"], ["property", "chapter"], ["property", "block"]];
    const valueSet = await this.get("ValueSet/$expand", params, signal);
    return {hits: expansionHits(valueSet), total: valueSet.expansion?.total};
  }

  /** The concepts at the top of the hierarchy (blocks, and categories under no block), each with its
   * chapter: an expansion of a value set that selects the codes with no parent. */
  async topLevel(version) {
    const valueSet = {resourceType: "ValueSet", status: "active", compose: {include: [
      {system: ICD10CM, ...(version ? {version} : {}), filter: [{property: "parent", op: "exists", value: "false"}]}]}};
    const parameters = {resourceType: "Parameters", parameter: [
      {name: "valueSet", resource: valueSet}, {name: "property", valueString: "chapter"}, {name: "count", valueInteger: 1000}]};
    return expansionHits(await this.post("ValueSet/$expand", parameters));
  }

  /** `code` and every code above it, each with its parent: one expansion of a value set that selects
   * them (filter `generalizes`). */
  async ancestors(code, version) {
    const valueSet = {resourceType: "ValueSet", status: "active", compose: {include: [
      {system: ICD10CM, ...(version ? {version} : {}), filter: [{property: "concept", op: "generalizes", value: code}]}]}};
    const parameters = {resourceType: "Parameters", parameter: [
      {name: "valueSet", resource: valueSet}, {name: "property", valueString: "parent"}]};
    return expansionHits(await this.post("ValueSet/$expand", parameters));
  }

  /** The titles of the chapters `codes` are in (one code per chapter): one batch of `$lookup`s. */
  async chapterTitles(codes, version) {
    const entry = codes.map((code) => {
      const query = new URLSearchParams([["system", ICD10CM], ["code", code], ["property", "chapter"], ...(version ? [["version", version]] : [])]);
      return {request: {method: "GET", url: `CodeSystem/$lookup?${query}`}};
    });
    const answer = await this.post("", {resourceType: "Bundle", type: "batch", entry});
    const titles = new Map();
    for (const item of answer.entry || []) {
      if (item.resource?.resourceType !== "Parameters") continue;
      const chapter = lookedUp(item.resource).properties.find((p) => p.code === "chapter");
      if (chapter) titles.set(chapter.value, chapter.description || "");
    }
    return titles;
  }

  /** `$lookup` of a code with every property, and the guidance of `supplements`. */
  lookup(code, version, supplements = [], properties = ["*"]) {
    const params = [["system", ICD10CM], ["code", code], ["version", version],
      ...properties.map((name) => ["property", name]), ...supplements.map((url) => ["useSupplement", url])];
    return this.get("CodeSystem/$lookup", params).then(lookedUp);
  }

  /** The releases of ICD-10-CM this server holds, newest first: [{version, names, descriptions}]. A release
   * is named by its version (its fiscal year, `2026`) and by the day it takes effect (`2026-04-01`, the
   * start of its effective period): `names` holds both; `descriptions` maps each property code of the
   * release to what the code system says it means. */
  async releases() {
    const bundle = await this.get("CodeSystem", [["url", ICD10CM], ["_elements", "url,version,property,extension"]]);
    return entries(bundle).filter((resource) => resource.version).map((resource) => {
      const start = (resource.extension || []).find((e) => e.url === EFFECTIVE_PERIOD)?.valuePeriod?.start;
      return {
        version: resource.version,
        names: [...new Set([resource.version, start].filter(Boolean))],
        takesEffect: start || resource.version,
        descriptions: new Map((resource.property || []).map((p) => [p.code, p.description || p.code])),
      };
    }).sort((a, b) => (a.takesEffect < b.takesEffect ? 1 : -1));
  }

  /** The supplements of ICD-10-CM (url, version of ICD-10-CM they supplement or "", their property definitions). */
  async supplements() {
    const bundle = await this.get("CodeSystem", [["supplements", ICD10CM]]);
    return entries(bundle).map((resource) => ({
      url: resource.url,
      title: resource.title || resource.name || resource.url,
      supplements: (resource.supplements || "").split("|")[1] || "",
      properties: new Map((resource.property || []).map((p) => [p.code, p.description || p.code])),
    }));
  }

  /** The value sets this server holds that name ICD-10-CM. */
  async valueSets() {
    const bundle = await this.get("ValueSet", [["reference", ICD10CM], ["_elements", "url,version,name,title"]]);
    return entries(bundle).map((resource) => ({url: resource.url, title: resource.title || resource.name || resource.url}));
  }

  /** Which of `valueSets` hold `code` (of release `version`): one batch of `ValueSet/$validate-code`. */
  async valueSetsHolding(valueSets, code, version) {
    if (valueSets.length === 0) return [];
    const entry = valueSets.map((valueSet) => {
      const query = new URLSearchParams([["url", valueSet.url], ["system", ICD10CM], ["code", code], ...(version ? [["version", version]] : [])]);
      return {request: {method: "GET", url: `ValueSet/$validate-code?${query}`}};
    });
    const answer = await this.post("", {resourceType: "Bundle", type: "batch", entry});
    return valueSets.filter((valueSet, index) => {
      const parameters = answer.entry?.[index]?.resource;
      return parameters?.resourceType === "Parameters" && parameters.parameter?.some((p) => p.name === "result" && p.valueBoolean === true);
    });
  }

  /** The ICD-9-CM codes CMS's GEM maps `code` to: [{code, display, equivalence}]. */
  async gemTargets(code) {
    const answer = await this.get("ConceptMap/$translate", [["url", ICD10CM_TO_ICD9CM], ["system", ICD10CM], ["code", code]]);
    return (answer.parameter || []).filter((p) => p.name === "match").map((match) => {
      const parts = Object.fromEntries(match.part.map((part) => [part.name, part]));
      return {code: parts.concept?.valueCoding?.code, display: parts.concept?.valueCoding?.display, equivalence: parts.equivalence?.valueCode};
    }).filter((target) => target.code);
  }
}

/** The text of an OperationOutcome's issues, one per line. */
export function outcomeText(outcome) {
  return (outcome.issue || []).map((issue) => issue.details?.text || issue.diagnostics || issue.code).filter(Boolean).join("\n");
}

function entries(bundle) {
  return (bundle.entry || []).map((entry) => entry.resource).filter(Boolean);
}

function valueOf(part) {
  for (const [key, value] of Object.entries(part)) if (key.startsWith("value")) return value;
  return undefined;
}

/** An expansion's codes (those nested in others too, as a hierarchy comes) with the properties asked. */
function expansionHits(valueSet) {
  const hits = [];
  const add = (items) => {
    for (const item of items || []) {
      const properties = {};
      for (const extension of item.extension || []) {
        if (extension.url !== EXPANSION_PROPERTY) continue;
        const parts = Object.fromEntries(extension.extension.map((part) => [part.url, valueOf(part)]));
        properties[parts.code] = parts.value;
      }
      hits.push({code: item.code, display: item.display, billable: properties.billable, chapter: properties.chapter,
        block: properties.block, parent: properties.parent});
      add(item.contains);
    }
  };
  add(valueSet.expansion?.contains);
  return hits;
}

/**
 * A `$lookup` answer as {code, display, version, abstract, properties, warnings}: each property
 * {code, value, description, sub: {name: value}} (subproperties such as `source` and `level`).
 */
function lookedUp(parameters) {
  const result = {properties: [], warnings: [], designations: []};
  for (const parameter of parameters.parameter || []) {
    if (parameter.name === "property") {
      const property = {sub: {}};
      for (const part of parameter.part || []) {
        if (part.name === "subproperty") {
          const sub = Object.fromEntries(part.part.map((p) => [p.name, valueOf(p)]));
          property.sub[sub.code] = sub.value;
        } else property[part.name] = valueOf(part);
      }
      result.properties.push(property);
    } else if (parameter.name === "issues") {
      result.warnings.push(outcomeText(parameter.resource));
    } else if (parameter.name === "designation") {
      const parts = Object.fromEntries(parameter.part.map((p) => [p.name, valueOf(p)]));
      result.designations.push({use: parts.use?.display || parts.use?.code || "", value: parts.value});
    } else {
      result[parameter.name] = valueOf(parameter);
    }
  }
  return result;
}
