// The browser's own addresses (a view is its query: ?code=M48.48&version=2025, ?q=fatigue+fracture) and
// the links to codes inside text.

import {h} from "./dom.js";

/** The address of a view: {code} or {q}, with {version} when a release is chosen. */
export function viewHref({code, q, version}) {
  const query = new URLSearchParams();
  if (code) query.set("code", code);
  if (q) query.set("q", q);
  if (version) query.set("version", version);
  const text = query.toString();
  return text ? `?${text}` : "?";
}

/** The view the page's address names. */
export function currentView() {
  const query = new URLSearchParams(location.search);
  return {code: query.get("code") || "", q: query.get("q") || "", version: query.get("version") || ""};
}

/** A link to a code's page (in the release being browsed). */
export function codeLink(code, version, text = code) {
  return h("a", {href: viewHref({code, version}), class: "code", "data-nav": true}, text);
}

// An ICD-10-CM code as notes write it: a letter, two characters, then up to four after a dot
// ("M84.4-", "M80.-", "S12.0-S12.3-", "A00-B99"): the code itself is linked, a trailing "-" is not.
const CODE_IN_TEXT = /\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?![0-9A-Za-z])/g;

/** `text` with each code it mentions as a link. */
export function linkCodes(text, version) {
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(CODE_IN_TEXT)) {
    pieces.push(text.slice(last, match.index), codeLink(match[1], version));
    last = match.index + match[0].length;
  }
  pieces.push(text.slice(last));
  return pieces;
}
