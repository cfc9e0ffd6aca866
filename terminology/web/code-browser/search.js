// Search as you type (the ARIA combobox pattern): `$expand` of every ICD-10-CM code with a filter, words
// or a code's start. No debounce (an `$expand` takes about 10 ms): each keystroke asks at once, but one
// request at a time: text typed while one is out waits for it, and only the newest waiting text is then
// asked, so fast typing sends few requests and an older answer never replaces a newer one.

import {h, fill} from "./dom.js";
import {viewHref} from "./links.js";

// (the search's own page shows more than the list under the box)
const PAGE_HITS = 100;

/** A code as a coder may type it: "m4848xa" for M48.48XA. */
const bare = (code) => code.replace(".", "").toUpperCase();

/** A hit as a list's content: code, title, billable badge, chapter and block. */
export function hitContent(hit) {
  return [
    h("span", {class: "code-id"}, hit.code), " ",
    h("span", {class: "hit-display"}, hit.display || ""), " ",
    hit.billable === true ? h("span", {class: "badge billable"}, "Billable") : h("span", {class: "badge header"}, "Header"),
    h("span", {class: "hit-where"}, [hit.chapter ? `Chapter ${hit.chapter}` : "", hit.block || ""].filter(Boolean).join(" · ")),
  ];
}

/** Wires the combobox: `open(code)` shows a code's page, `search(text)` the page of every hit. */
export function searchBox({input, list, client, version, open, search}) {
  let controller = null;  // (the request out, if any)
  let wanted = "";  // (the text whose hits the list is to show; "" for none)
  let hits = [];
  let hitsFor = "";  // (the text `hits` answer)
  let choices = [];  // (what choosing each option does: open a hit, or the search's page)
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({block: "nearest"});
    } else input.removeAttribute("aria-activedescendant");
  };
  const show = (...items) => {
    fill(list, items);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const showHits = ({hits: found, total}, text) => {
    hits = found;
    hitsFor = text;
    const more = total > found.length;
    choices = [...found.map((hit) => () => open(hit.code)), ...(more ? [() => search(text)] : [])];
    const option = (index, className, ...content) => h("li", {id: `hit-${index}`, role: "option", "aria-selected": "false", class: className,
      onmousedown: (event) => event.preventDefault(),  // (keeps the focus in the input)
      onclick: () => { stop(); choices[index](); }}, content);
    show(found.length
      ? [found.map((hit, index) => option(index, "hit", hitContent(hit))),
          more ? option(found.length, "hit more", `All ${total.toLocaleString("en-US")} codes that match “${text}”`) : null]
      : h("li", {class: "none", role: "option", "aria-disabled": "true"}, `No code matches “${text}”`));
  };
  /** Asks for `wanted` unless a request is out (its end asks for what is wanted then). */
  const ask = async () => {
    if (controller || !wanted) return;
    const text = wanted;
    const mine = controller = new AbortController();
    let found = null;
    let failure = null;
    try {
      found = await client.expand(text, version(), mine.signal);
    } catch (error) {
      failure = error;
    }
    controller = null;
    if (mine.signal.aborted || text !== wanted) {
      ask();  // (the text changed meanwhile: this answer is stale)
      return;
    }
    if (failure) {
      hits = [];
      choices = [];
      show(h("li", {class: "error", role: "option", "aria-disabled": "true"}, failure.message));
    } else showHits(found, text);
  };
  /** Forgets the text asked about: no answer out is shown. */
  const stop = () => {
    wanted = "";
    controller?.abort();
    close();
  };

  input.addEventListener("input", () => {
    const text = input.value.trim();
    if (text.length < 2) stop();
    else {
      wanted = text;
      ask();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && choices.length && hitsFor === input.value.trim()) {
      event.preventDefault();
      if (list.hidden) list.hidden = false, input.setAttribute("aria-expanded", "true");  // (reopened after Escape)
      highlight((active + 1) % choices.length);
    } else if (event.key === "ArrowUp" && choices.length && !list.hidden) {
      event.preventDefault();
      highlight(active <= 0 ? choices.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const text = input.value.trim();
      // (a code typed whole, in any case, with or without its dot, opens its page as a pick would; anything
      // else, the search's page)
      const typedCode = hitsFor === text ? hits.find((hit) => bare(hit.code) === bare(text)) : null;
      if (active >= 0 && !list.hidden) {
        const chosen = choices[active];
        stop();
        chosen();
      } else if (typedCode) {
        stop();
        open(typedCode.code);
      } else if (text) {
        stop();
        search(text);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (!list.hidden) stop();
      else input.value = "";
    }
  });
  // (closed a moment after the focus leaves, unless it is back by then: a click on a view's link, then
  // straight back into the box, must not close what is typed next)
  input.addEventListener("blur", () => setTimeout(() => document.activeElement === input || stop(), 150));
}

/** The page of a search: the best hits (up to `PAGE_HITS`), each a link, and how many match in all. */
export async function showSearch(main, text, context) {
  fill(main, h("p", {class: "loading"}, `Searching for “${text}”…`));
  const {hits, total} = await context.client.expand(text, context.version, undefined, PAGE_HITS);
  document.title = `${text} · ICD-10-CM browser`;
  const count = total ?? hits.length;
  fill(main, h("section", {class: "card", "aria-labelledby": "results-heading"},
    h("h1", {id: "results-heading"}, `Codes matching “${text}”`),
    hits.length
      ? h("p", {class: "hint", id: "results-count"}, count > hits.length
          ? `The best ${hits.length} of ${count.toLocaleString("en-US")} codes that match; add words or characters to narrow the search.`
          : `${count} ${count === 1 ? "code matches" : "codes match"}, best first.`)
      : null,
    hits.length
      ? h("ul", {class: "results"}, hits.map((hit) => h("li", {},
          h("a", {href: viewHref({code: hit.code, version: context.version}), "data-nav": true, class: "hit-link"}, hitContent(hit)))))
      : h("p", {}, "No code matches.")));
}
